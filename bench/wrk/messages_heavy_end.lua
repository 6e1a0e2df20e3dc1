-- GET a page at the END of the 1,000,000-message conversation by keyset: the next_cursor of
-- the newest-first page 1 (order=desc), i.e. messages 21..40 counted from the newest.
-- Cursors are HMAC-signed, so this is the cheapest honest way to get one near the end.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local path = "/api/conversations/" .. heavy.HEAVY_CONV .. "/messages?page_size=20&cursor=" .. heavy.HEAVY_END_CURSOR

function request()
  return wrk.format("GET", path, headers(heavy.HEAVY_TOKEN, false))
end
