-- Mixed traffic for bench/soak: each request is one of these operations, drawn at random with
-- these weights (percent), as a random user on one of that user's conversations:
--
--   conversations_list    40  GET  /api/conversations?page_size=20
--   messages_list         20  GET  /api/conversations/{id}/messages?page_size=20
--   messages_create_user  15  POST /api/conversations/{id}/messages, role user (+ async rules reply)
--   conversations_create  10  POST /api/conversations
--   search                10  GET  /api/search?q=<word>&page_size=20
--   chat                   5  POST /api/chat into the conversation (rules reply, synchronous)
--
-- wrk's response() is not told which request it answers (a thread's connections interleave), so
-- each request carries X-Request-Id: soak.<operation>.<thread>.<n>, which Parley echoes; the
-- answer is counted under the operation its echoed id names ("unknown" if none came back).
-- done() prints common.lua's BENCH_RESULT lines, then SOAK_CLASSES (all answers by status class)
-- and one SOAK_OP line per operation with its status counts, which bench/soak parses.
dofile((os.getenv("BENCH_WRK_DIR") or "bench/wrk") .. "/common.lua")

local words = { "lisbon", "invoice", "python", "weather", "garden", "budget", "recipe", "travel",
  "postgres", "guitar", "marathon", "mortgage", "kotlin", "vaccine", "telescope", "violin" }

local mix = {
  { "conversations_list", 40 },
  { "messages_list", 20 },
  { "messages_create_user", 15 },
  { "conversations_create", 10 },
  { "search", 10 },
  { "chat", 5 },
}
local total_weight = 0
for _, m in ipairs(mix) do total_weight = total_weight + m[2] end

local function choose()
  local r = math.random(total_weight)
  for _, m in ipairs(mix) do
    r = r - m[2]
    if r <= 0 then return m[1] end
  end
  return mix[#mix][1]
end

-- The threads, for done(): common.lua keeps its own list local, so wrap its setup.
local all_threads = {}
local common_setup = setup
function setup(thread)
  common_setup(thread)
  all_threads[#all_threads + 1] = thread
end

local common_init = init
function init(args)
  common_init(args)
  -- per thread: "<operation> <status>" -> count (flat keys copy cleanly between Lua states)
  by_op = {}
  seq = 0
end

function request()
  local op = choose()
  local _, token, conv = pick()
  seq = seq + 1
  local h = headers(token, op == "messages_create_user" or op == "conversations_create" or op == "chat")
  h["X-Request-Id"] = "soak." .. op .. "." .. (tid or 0) .. "." .. seq
  local word = words[math.random(#words)]
  if op == "conversations_list" then
    return wrk.format("GET", "/api/conversations?page_size=20", h)
  elseif op == "messages_list" then
    return wrk.format("GET", "/api/conversations/" .. conv .. "/messages?page_size=20", h)
  elseif op == "messages_create_user" then
    return wrk.format("POST", "/api/conversations/" .. conv .. "/messages", h,
      '{"role":"user","content":"Soak test message: can you help me with my ' .. word .. ' plans?"}')
  elseif op == "conversations_create" then
    return wrk.format("POST", "/api/conversations", h, '{"title":"Soak conversation about ' .. word .. '"}')
  elseif op == "search" then
    return wrk.format("GET", "/api/search?q=" .. word .. "&page_size=20", h)
  else
    return wrk.format("POST", "/api/chat", h,
      '{"message":"Hello, can you help me plan a trip to Lisbon?","conversation_id":"' .. conv .. '"}')
  end
end

local common_response = response
function response(status, hdrs, body)
  common_response(status, hdrs, body)
  local id = hdrs["X-Request-Id"] or hdrs["x-request-id"]
  if not id then
    for k, v in pairs(hdrs) do
      if string.lower(k) == "x-request-id" then id = v break end
    end
  end
  local op = id and id:match("^soak%.([%w_]+)%.") or "unknown"
  local key = op .. " " .. status
  by_op[key] = (by_op[key] or 0) + 1
end

local common_done = done
function done(summary, latency, requests)
  common_done(summary, latency, requests)
  local ops, classes = {}, { ["2xx"] = 0, ["3xx"] = 0, ["4xx"] = 0, ["5xx"] = 0, other = 0 }
  for _, t in ipairs(all_threads) do
    for key, n in pairs(t:get("by_op") or {}) do
      local op, status = key:match("^(%S+) (%d+)$")
      status = tonumber(status)
      ops[op] = ops[op] or {}
      ops[op][status] = (ops[op][status] or 0) + n
      local class = (status >= 200 and status < 600) and (math.floor(status / 100) .. "xx") or "other"
      classes[class] = classes[class] + n
    end
  end
  io.write(string.format("SOAK_CLASSES 2xx=%d 3xx=%d 4xx=%d 5xx=%d other=%d\n",
    classes["2xx"], classes["3xx"], classes["4xx"], classes["5xx"], classes.other))
  local names = {}
  for op in pairs(ops) do names[#names + 1] = op end
  table.sort(names)
  for _, op in ipairs(names) do
    local parts, n = {}, 0
    for status, count in pairs(ops[op]) do
      parts[#parts + 1] = status .. ":" .. count
      n = n + count
    end
    table.sort(parts)
    io.write(string.format("SOAK_OP op=%s requests=%d statuses=%s\n", op, n, table.concat(parts, ",")))
  end
end
