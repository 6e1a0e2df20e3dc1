-- GET /api/conversations/{id}/messages, page 1 (oldest first, 20 per page), random user.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

function request()
  local _, token, conv = pick()
  return wrk.format("GET", "/api/conversations/" .. conv .. "/messages?page_size=20", headers(token, false))
end
