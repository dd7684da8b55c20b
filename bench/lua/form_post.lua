-- Signed-in form POSTs carrying a CSRF token.
-- Request file lines: <cookie header value> TAB <path> TAB <url-encoded body>
-- For quiz submits every line is a different attempt prepared by the runner, each used once;
-- the body holds the session's CSRF token and the answers.
local dir = (debug.getinfo(1, "S").source:match("^@(.*/)")) or os.getenv("BENCH_LUA_DIR") or "./"
package.path = dir .. "?.lua;" .. package.path
local common = require("common")

common.install(function(fields)
  return wrk.format("POST", fields[2], {
    Cookie = fields[1],
    ["Content-Type"] = "application/x-www-form-urlencoded",
  }, fields[3])
end)
