-- POST /api/conversations/{id}/messages, role user (a pending reply, rules provider), with the
-- default rate limits ON (bench/run restarts Parley with them for this operation only). Users are
-- taken in turn, not at random, so each stays inside its budget (60 reply-generating messages a
-- minute): every answer should be 201, and a 429 here means the budget was spent unevenly.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local turn = 0

function request()
  turn = turn + 1
  -- Each thread walks its own stride through the users, so threads never share a user at once.
  local u = ((turn * 7919 + (tid or 0) * 104729) % #tokens) + 1
  local conv = convs[(u - 1) * convs_per_user + 1]
  return wrk.format("POST", "/api/conversations/" .. conv .. "/messages", headers(tokens[u], true),
    '{"role":"user","content":"Hello, can you help me plan a trip to Lisbon?"}')
end
