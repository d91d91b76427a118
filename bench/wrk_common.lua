-- Shared by wrk_get.lua and wrk_post.lua: the request spec of bench/http_load.py, a count of the
-- responses whose status is not the expected one, and a JSON summary on stdout for bench/http_load.py.
--
-- The spec file (BENCH_WRK_SPEC) has one item a line:
--   expect 200 | header Name: value | path /api/v1/tickets/1 | body {"json": "on one line"}
local common = {}

function common.read_spec()
  local spec = { headers = {}, paths = {}, body = nil, expect = 200 }
  for line in io.lines(os.getenv("BENCH_WRK_SPEC")) do
    local kind, rest = line:match("^(%a+) (.*)$")
    if kind == "header" then
      local name, value = rest:match("^([^:]+):%s*(.*)$")
      spec.headers[name] = value
    elseif kind == "path" then
      table.insert(spec.paths, rest)
    elseif kind == "body" then
      spec.body = rest
    elseif kind == "expect" then
      spec.expect = tonumber(rest)
    end
  end
  return spec
end

local threads = {}

function common.setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function common.done(summary, latency, requests)
  local unexpected, sample = 0, ""
  for _, thread in ipairs(threads) do
    unexpected = unexpected + (thread:get("unexpected") or 0)
    sample = thread:get("sample") or sample
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "unexpected": %d, "sample": "%s", ' ..
    '"socket_errors": %d, "timeouts": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "mean_us": %f}\n',
    summary.requests, summary.duration, unexpected, sample, e.connect + e.read + e.write, e.timeout,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.mean))
end

return common
