-- GET routes/inbound/?to=<number>, cycling through BENCH_NUMBERS_FILE, as an SBC asks at every
-- call set-up (a service token, no Org-Handle).
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local numbers, headers, i

function init(args)
   numbers = c.lines("BENCH_NUMBERS_FILE")
   headers = { ["Authorization"] = "Token " .. assert(os.getenv("BENCH_SERVICE_TOKEN"), "BENCH_SERVICE_TOKEN") }
   i = (tid or 0) * 7919
end

function request()
   i = i + 1
   return wrk.format("GET", "/api/v2/platform/telephony/routes/inbound/?to=%2B" .. numbers[(i % #numbers) + 1], headers)
end
