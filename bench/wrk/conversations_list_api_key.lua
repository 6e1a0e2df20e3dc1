-- GET /api/conversations (first page, 20 per page) as a random user, with that user's API key
-- (X-API-Key) instead of a JWT: the JWT row's request, so the two rows compare the credentials.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local keys = {}
for line in io.lines(os.getenv("BENCH_DATA") .. "/api-keys.txt") do
  if line ~= "" then keys[#keys + 1] = line end
end

function request()
  local u = math.random(#keys)
  return wrk.format("GET", "/api/conversations?page_size=20",
    { ["X-API-Key"] = keys[u], ["Accept"] = "application/json" })
end
