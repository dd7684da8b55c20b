-- Signed-in GETs. Request file lines: <cookie header value> TAB <path>
-- The runner mints one session per person beforehand; lines cycle through them, so
-- consecutive requests on a connection belong to different people.
local dir = (debug.getinfo(1, "S").source:match("^@(.*/)")) or os.getenv("BENCH_LUA_DIR") or "./"
package.path = dir .. "?.lua;" .. package.path
local common = require("common")

common.install(function(fields)
  return wrk.format("GET", fields[2], { Cookie = fields[1] })
end)
