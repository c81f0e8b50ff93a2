-- wrk script: prints the p50 and p99 latency and the non-2xx count on one
-- line that bench/run reads.
done = function(summary, latency, requests)
	io.write(string.format("bench: %d requests, %d non-2xx, p50 %.3f ms, p99 %.3f ms\n",
		summary.requests, summary.errors.status,
		latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
