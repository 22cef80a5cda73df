-- PATCH (rotate) the auth_token of configurations cycling through BENCH_IDS_FILE.
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local ids, headers, i, n

function init(args)
   ids = c.ids()
   headers = c.headers({["Content-Type"] = "application/json"})
   i = (tid or 0) * 7919
   n = 0
end

function request()
   i = i + 1
   n = n + 1
   local body = string.format('{"auth_token":"rotated-%d-%d"}', tid or 0, n)
   return wrk.format("PATCH", c.base .. ids[(i % #ids) + 1] .. "/" .. c.query, headers, body)
end
