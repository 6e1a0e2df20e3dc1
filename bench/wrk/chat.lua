-- POST /api/chat into one of the user's conversations: the user message and the rules
-- provider's reply stored in one synchronous round trip.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

function request()
  local _, token, conv = pick()
  return wrk.format("POST", "/api/chat", headers(token, true),
    '{"message":"Hello, can you help me plan a trip to Lisbon?","conversation_id":"' .. conv .. '"}')
end
