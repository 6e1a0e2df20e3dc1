-- POST /api/conversations/{id}/messages, role assistant: stored, no reply generated.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

function request()
  local _, token, conv = pick()
  return wrk.format("POST", "/api/conversations/" .. conv .. "/messages", headers(token, true),
    '{"role":"assistant","content":"Here is a short assistant answer stored by the benchmark."}')
end
