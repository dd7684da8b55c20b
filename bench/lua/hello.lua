-- The baseline. Request file lines: <path>  (the runner writes "/hello")
local dir = (debug.getinfo(1, "S").source:match("^@(.*/)")) or os.getenv("BENCH_LUA_DIR") or "./"
package.path = dir .. "?.lua;" .. package.path
local common = require("common")

common.install(function(fields)
  return wrk.format("GET", fields[1])
end)
