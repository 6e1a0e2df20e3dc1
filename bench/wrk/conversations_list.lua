-- GET /api/conversations (first page, 20 per page) as a random user.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

function request()
  local _, token = pick()
  return wrk.format("GET", "/api/conversations?page_size=20", headers(token, false))
end
