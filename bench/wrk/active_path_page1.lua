-- GET page 1 of the active path of the 100 000-message tree (1 000 branches; the path from the
-- root to the current leaf holds 1 099 messages).
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local path = "/api/conversations/" .. heavy.TREE_CONV .. "/messages?path=active&page_size=20"

function request()
  return wrk.format("GET", path, headers(heavy.HEAVY_TOKEN, false))
end
