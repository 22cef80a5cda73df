-- GET one configuration by id, cycling through BENCH_IDS_FILE (threads start apart).
package.path = (os.getenv("BENCH_DIR") or ".") .. "/?.lua;" .. package.path
local c = require("common")
setup = c.setup
local ids, headers, i

function init(args)
   ids = c.ids()
   headers = c.headers()
   i = (tid or 0) * 7919
end

function request()
   i = i + 1
   return wrk.format("GET", c.base .. ids[(i % #ids) + 1] .. "/", headers)
end
