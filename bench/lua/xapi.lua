-- The xAPI Statement resource with HTTP Basic credentials.
-- Request file lines: <METHOD> TAB <path> TAB <JSON body, for POST>
-- The Authorization header value comes from the BENCH_XAPI_AUTH environment variable.
local dir = (debug.getinfo(1, "S").source:match("^@(.*/)")) or os.getenv("BENCH_LUA_DIR") or "./"
package.path = dir .. "?.lua;" .. package.path
local common = require("common")

local auth = os.getenv("BENCH_XAPI_AUTH") or ""

common.install(function(fields)
  local headers = {
    Authorization = auth,
    ["X-Experience-API-Version"] = "1.0.3",
  }
  local body = nil
  if fields[1] == "POST" or fields[1] == "PUT" then
    headers["Content-Type"] = "application/json"
    body = fields[3]
  end
  return wrk.format(fields[1], fields[2], headers, body)
end)
