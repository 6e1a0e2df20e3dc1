-- Shared by every bench/wrk/<operation>.lua (loaded with dofile from $BENCH_WRK_DIR).
--
-- Inputs, written by bench/run into $BENCH_DATA:
--   tokens.txt  line i = bearer token of user-i
--   convs.txt   line (i-1)*convs + n = id of user-i's conversation n
--   heavy.env   HEAVY_TOKEN, HEAVY_CONV, HEAVY_END_CURSOR, HEAVY_START_CURSOR, TREE_CONV (KEY=VALUE lines)
-- Each request picks a random user (and one of that user's conversations), so tokens rotate
-- over all users. Every response status is counted; done() prints one BENCH_RESULT line that
-- bench/run parses.

local data = os.getenv("BENCH_DATA") or error("BENCH_DATA is not set")

local function lines(file)
  local out = {}
  for line in io.lines(data .. "/" .. file) do
    if line ~= "" then out[#out + 1] = line end
  end
  return out
end

tokens = lines("tokens.txt")
convs = lines("convs.txt")
convs_per_user = math.floor(#convs / #tokens)
heavy = {}
for _, line in ipairs(lines("heavy.env")) do
  local k, v = line:match("^([%w_]+)=(.*)$")
  if k then heavy[k] = v end
end

-- A random user: its number, its token, one of its conversations.
function pick()
  local u = math.random(#tokens)
  local c = convs[(u - 1) * convs_per_user + math.random(convs_per_user)]
  return u, tokens[u], c
end

function headers(token, json)
  local h = { ["Authorization"] = "Bearer " .. token, ["Accept"] = "application/json" }
  if json then h["Content-Type"] = "application/json" end
  return h
end

-- Threads and their counters (setup/done run in the main Lua state, the rest per thread).
local threads = {}
local next_id = 0

function setup(thread)
  next_id = next_id + 1
  thread:set("tid", next_id)
  threads[#threads + 1] = thread
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0) * 7919)
  statuses = {}
  first_error = ""
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  if (status < 200 or status > 299) and first_error == "" then
    first_error = status .. " " .. string.sub(body or "", 1, 300)
  end
end

function done(summary, latency, requests)
  local counts, non2xx, sample = {}, 0, ""
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses") or {}) do
      counts[code] = (counts[code] or 0) + n
      if code < 200 or code > 299 then non2xx = non2xx + n end
    end
    local e = t:get("first_error")
    if sample == "" and e and e ~= "" then sample = e end
  end
  local parts = {}
  for code, n in pairs(counts) do parts[#parts + 1] = code .. ":" .. n end
  table.sort(parts)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
    "BENCH_RESULT requests=%d seconds=%.3f rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f "
      .. "non2xx=%d socket_errors=%d statuses=%s\n",
    summary.requests, seconds, summary.requests / seconds,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, non2xx, e.connect + e.read + e.write + e.timeout,
    table.concat(parts, ",")))
  io.write(string.format("BENCH_SOCKET_ERRORS connect=%d read=%d write=%d timeout=%d\n",
    e.connect, e.read, e.write, e.timeout))
  if sample ~= "" then
    io.write("BENCH_FIRST_ERROR " .. sample:gsub("[\r\n]", " ") .. "\n")
  end
end
