-- wrk script for benchmarks/soak.py: each request takes a random path from the file named by
-- WRK_PATHS; with WRK_THINK_MS set, each connection pauses a random time (uniform, that mean)
-- before its next request, as a reader does; at the end the latency histogram (microseconds, count) and the counts of 5xx and
-- other non-2xx/3xx answers are written to WRK_OUT.
local paths = {}
local threads = {}
local think = tonumber(os.getenv("WRK_THINK_MS") or "0")
server_errors, other_errors = 0, 0

init = function(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
end

setup = function(thread)
  threads[#threads + 1] = thread
end

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

if think > 0 then
  delay = function()
    return math.random() * 2 * think
  end
end

response = function(status, headers, body)
  if status >= 500 then
    server_errors = server_errors + 1
  elseif status >= 400 then
    other_errors = other_errors + 1
  end
end

done = function(summary, latency, requests)
  local out = io.open(os.getenv("WRK_OUT"), "w")
  local e = summary.errors
  local server, other = 0, 0
  for _, thread in ipairs(threads) do
    server = server + thread:get("server_errors")
    other = other + thread:get("other_errors")
  end
  out:write(string.format("requests %d socket %d 5xx %d 4xx %d\n", summary.requests,
    e.connect + e.read + e.write + e.timeout, server, other))
  for i = 1, #latency do
    local value, count = latency(i)
    out:write(value, " ", count, "\n")
  end
  out:close()
end
