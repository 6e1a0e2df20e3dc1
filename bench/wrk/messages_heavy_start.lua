-- GET page 2 of the 1,000,000-message conversation by keyset: the next_cursor of page 1
-- (oldest first), so the keyset query runs at the START of the conversation.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local path = "/api/conversations/" .. heavy.HEAVY_CONV .. "/messages?page_size=20&cursor=" .. heavy.HEAVY_START_CURSOR

function request()
  return wrk.format("GET", path, headers(heavy.HEAVY_TOKEN, false))
end
