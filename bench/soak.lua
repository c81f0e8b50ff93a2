-- wrk script for bench/soak: one kind of traffic at a fixed pace.
--
--	SOAK_MODE=upload	POSTs a JPEG (SOAK_JPEG) as multipart, made new
--				each time by a tag after its end (decoders
--				ignore trailing bytes), so each is a new image
--	SOAK_MODE=view		GETs the paths listed in SOAK_PATHS, in turn
--
-- SOAK_DELAY_MS is the pause a connection takes before each request, so
-- connections x 1000 / (delay + latency) is the rate.  done() prints one
-- line bench/soak reads: requests, 5xx, and latency percentiles in ms.
local mode = os.getenv("SOAK_MODE") or "view"
local pause = tonumber(os.getenv("SOAK_DELAY_MS") or "0")
local boundary = "----imghostsoak"
local jpeg, paths = nil, {}
local threads = {}

local function slurp(name)
	local f = assert(io.open(name, "rb"))
	local s = f:read("*a")
	f:close()
	return s
end

setup = function(thread)
	thread:set("id", #threads + 1)
	table.insert(threads, thread)
end

init = function(args)
	n, n5xx = 0, 0
	if mode == "upload" then
		jpeg = slurp(os.getenv("SOAK_JPEG"))
	else
		for line in io.lines(os.getenv("SOAK_PATHS")) do
			table.insert(paths, line)
		end
	end
	math.randomseed(os.time() * 100 + id)
end

delay = function()
	return pause
end

request = function()
	n = n + 1
	if mode == "upload" then
		local tag = string.format("soak-%d-%d-%d", id, n,
			math.random(1, 1e9))
		local body = "--" .. boundary .. "\r\n" ..
			'Content-Disposition: form-data; name="file"; filename="s.jpg"\r\n' ..
			"Content-Type: image/jpeg\r\n\r\n" .. jpeg .. tag ..
			"\r\n--" .. boundary .. "--\r\n"
		return wrk.format("POST", "/api/v1/images", {
			["Content-Type"] = "multipart/form-data; boundary=" .. boundary,
		}, body)
	end
	return wrk.format("GET", paths[(n * 7 + id) % #paths + 1])
end

response = function(status, headers, body)
	if status >= 500 then
		n5xx = n5xx + 1
	end
end

done = function(summary, latency, requests)
	local bad = 0
	for _, t in ipairs(threads) do
		bad = bad + (t:get("n5xx") or 0)
	end
	io.write(string.format("soak: %d requests, %d 5xx, %d errors, " ..
		"p50 %.1f p90 %.1f p99 %.1f p99.9 %.1f max %.1f ms\n",
		summary.requests, bad,
		summary.errors.connect + summary.errors.read +
		summary.errors.write + summary.errors.timeout,
		latency:percentile(50) / 1000, latency:percentile(90) / 1000,
		latency:percentile(99) / 1000, latency:percentile(99.9) / 1000,
		latency.max / 1000))
end
