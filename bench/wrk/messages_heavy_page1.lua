-- GET page 1 (oldest first, no cursor) of the 1,000,000-message conversation.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local path = "/api/conversations/" .. heavy.HEAVY_CONV .. "/messages?page_size=20"

function request()
  return wrk.format("GET", path, headers(heavy.HEAVY_TOKEN, false))
end
