-- wrk: POST the spec's JSON body to its first path with its headers (the bearer token), expecting 201.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "wrk_common.lua")
local spec = common.read_spec()
unexpected, sample = 0, ""

setup = common.setup
done = common.done

wrk.method = "POST"
wrk.path = spec.paths[1]
wrk.body = spec.body
wrk.headers = spec.headers
wrk.headers["Content-Type"] = "application/json"

function response(status, headers, body)
  if status ~= spec.expect then
    unexpected = unexpected + 1
    sample = tostring(status)
  end
end
