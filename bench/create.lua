-- POST a new Twilio configuration; every request a unique account_sid:
-- AC + run nonce (8 hex) + thread (8 hex) + counter (16 hex).
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local headers, n, nonce, path

function init(args)
   headers = c.headers({["Content-Type"] = "application/json"})
   nonce = assert(os.getenv("BENCH_NONCE"), "BENCH_NONCE (8 hex digits)")
   path = c.base .. c.query
   n = 0
end

function request()
   n = n + 1
   local sid = string.format("AC%s%08x%08x%08x", nonce, tid or 0, math.floor(n / 4294967296), n % 4294967296)
   local body = '{"provider":"twilio","account_sid":"' .. sid .. '","auth_token":"bench-' .. sid .. '"}'
   return wrk.format("POST", path, headers, body)
end
