-- wrk: GET the spec's paths in turn (each thread starts at its own offset), with the spec's headers.
local here = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
local common = dofile(here .. "wrk_common.lua")
local spec = common.read_spec()
local n = 0
unexpected, sample = 0, ""

setup = common.setup
done = common.done

function init(args)
  n = (id or 0) * 7919
end

function request()
  n = n + 1
  return wrk.format("GET", spec.paths[(n % #spec.paths) + 1], spec.headers)
end

function response(status, headers, body)
  if status ~= spec.expect then
    unexpected = unexpected + 1
    sample = tostring(status)
  end
end
