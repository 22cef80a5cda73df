-- Shared by the wrk scripts of bench/run: the API's credentials and paths from the
-- environment, a per-thread id (set in setup), and the config ids to cycle through.
local M = {}

M.base = "/api/v2/platform/telephony/providers-configurations/"
M.query = os.getenv("BENCH_WRITE_QUERY") or ""

function M.headers(extra)
   local h = {
      ["Authorization"] = "Token " .. assert(os.getenv("BENCH_TOKEN"), "BENCH_TOKEN"),
      ["Org-Handle"] = assert(os.getenv("BENCH_ORG"), "BENCH_ORG"),
   }
   for k, v in pairs(extra or {}) do h[k] = v end
   return h
end

-- One id a line, from BENCH_IDS_FILE.
function M.ids()
   local ids = {}
   local path = assert(os.getenv("BENCH_IDS_FILE"), "BENCH_IDS_FILE")
   for line in io.lines(path) do
      if line ~= "" then ids[#ids + 1] = line end
   end
   assert(#ids > 0, "no ids in BENCH_IDS_FILE")
   return ids
end

-- One value a line, from the file the environment variable `var` names.
function M.lines(var)
   local out = {}
   -- (parenthesised: assert returns its message too, which io.lines would take for a format)
   for line in io.lines((assert(os.getenv(var), var))) do
      if line ~= "" then out[#out + 1] = line end
   end
   assert(#out > 0, "nothing in " .. var)
   return out
end

-- Gives each wrk thread a distinct number (the global `tid` inside the thread).
local next_tid = 0
function M.setup(thread)
   thread:set("tid", next_tid)
   next_tid = next_tid + 1
end

return M
