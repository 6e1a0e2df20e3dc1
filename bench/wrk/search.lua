-- GET /api/search?q=<word> as a random user (words from bench/generate.sql's vocabulary).
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local words = { "lisbon", "invoice", "python", "weather", "garden", "budget", "recipe", "travel",
  "postgres", "guitar", "marathon", "mortgage", "kotlin", "vaccine", "telescope", "violin" }

function request()
  local _, token = pick()
  return wrk.format("GET", "/api/search?q=" .. words[math.random(#words)] .. "&page_size=20", headers(token, false))
end
