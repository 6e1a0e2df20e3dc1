-- POST /api/conversations/{id}/messages, role user, in a conversation with auto_reply on:
-- stored with a pending assistant reply that the rules provider completes asynchronously.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

function request()
  local _, token, conv = pick()
  return wrk.format("POST", "/api/conversations/" .. conv .. "/messages", headers(token, true),
    '{"role":"user","content":"Hello, can you help me plan a trip to Lisbon?"}')
end
