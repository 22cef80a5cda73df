-- POST routes/outbound/ from a number, cycling through BENCH_NUMBERS_FILE: the trunk with its
-- password (each release queued for the audit trail's batched writer).
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local numbers, headers, i

function init(args)
   numbers = c.lines("BENCH_NUMBERS_FILE")
   headers = {
      ["Authorization"] = "Token " .. assert(os.getenv("BENCH_SERVICE_TOKEN"), "BENCH_SERVICE_TOKEN"),
      ["Content-Type"] = "application/json",
   }
   i = (tid or 0) * 7919
end

function request()
   i = i + 1
   local body = '{"from":"+' .. numbers[(i % #numbers) + 1] .. '","to":"+14155550123"}'
   return wrk.format("POST", "/api/v2/platform/telephony/routes/outbound/", headers, body)
end
