-- wrk script for the non-streaming workload (scripts/bench.sh runs it): a small chat completion
-- POSTed on keep-alive connections, and one JSON line of figures when the run ends.
-- The request comes from the environment: BENCH_MODEL (the model field), BENCH_MAX_TOKENS.

local model = os.getenv("BENCH_MODEL") or "model"
local max_tokens = tonumber(os.getenv("BENCH_MAX_TOKENS") or "8")

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = string.format(
  '{"model":"%s","messages":[{"role":"user","content":"Say hi."}],"max_tokens":%d,"ignore_eos":true}',
  model, max_tokens)

-- Latencies are in microseconds; "errors" counts every request that did not get a 2xx/3xx answer
-- or whose connection failed, so that a proxy that drops requests cannot look fast.
function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    '{"requests":%d,"seconds":%.3f,"rps":%.1f,"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,' ..
    '"mean_us":%.1f,"errors":%d,"error_kinds":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect + e.read + e.write + e.status + e.timeout,
    e.connect, e.read, e.write, e.status, e.timeout))
end
