-- wrk script: POSTs a JPEG as multipart, made distinct on each request by
-- a counter after the end-of-image marker (decoders ignore trailing bytes),
-- so every upload is new to the deduplication.
local file = os.getenv("BENCH_JPEG")
local f = assert(io.open(file, "rb"))
local jpeg = f:read("*a")
f:close()
local n = 0
local boundary = "----imghostbench"

request = function()
	n = n + 1
	local tag = tostring(math.random(1, 1e9)) .. "-" .. n
	local body = "--" .. boundary .. "\r\n" ..
		'Content-Disposition: form-data; name="file"; filename="b.jpg"\r\n' ..
		"Content-Type: image/jpeg\r\n\r\n" .. jpeg .. tag ..
		"\r\n--" .. boundary .. "--\r\n"
	return wrk.format("POST", "/api/v1/images", {
		["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
	}, body)
end

done = function(summary, latency, requests)
	io.write(string.format("bench: %d requests, %d non-2xx, p50 %.1f ms, p99 %.1f ms\n",
		summary.requests, summary.errors.status,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
