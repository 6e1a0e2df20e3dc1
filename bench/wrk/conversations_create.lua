-- POST /api/conversations as a random user.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

function request()
  local _, token = pick()
  return wrk.format("POST", "/api/conversations", headers(token, true), '{"title":"Benchmark conversation"}')
end
