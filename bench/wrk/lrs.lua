-- wrk script for the LRS benchmarks (bench/run.py): every request carries an LRS client's
-- HTTP Basic credentials ($BENCH_AUTH, the whole header value) and X-Experience-API-Version.
-- POST: $BENCH_BATCH statements per request (1 sends one statement, more send an array), each
-- new (the LRS gives it its id), about one of 10,000 agents, 10 verbs and 1,000 activities.
-- GET: the request paths listed in $BENCH_PATHS (one a line), in turn.
-- A response whose status is not $BENCH_EXPECT counts as an error; done() prints one JSON line.

local method = os.getenv("BENCH_METHOD") or "GET"
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local batch = tonumber(os.getenv("BENCH_BATCH") or "1")
local auth = os.getenv("BENCH_AUTH")
local threads = {}
local verbs = { "experienced", "attempted", "answered", "completed", "passed", "failed", "progressed",
  "commented", "registered", "interacted" }

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  paths = {}
  if method == "GET" then
    for line in io.lines(os.getenv("BENCH_PATHS")) do
      table.insert(paths, line)
    end
  end
  counter = 0
  unexpected = 0
  math.randomseed(os.time() + id)
end

local function statement()
  local agent = math.random(0, 9999)
  return string.format(
    '{"actor":{"objectType":"Agent","mbox":"mailto:agent%d@example.org"},' ..
    '"verb":{"id":"http://adlnet.gov/expapi/verbs/%s"},' ..
    '"object":{"objectType":"Activity","id":"http://bench.example.org/activities/%d"},' ..
    '"result":{"score":{"scaled":%.2f},"success":true,"completion":true}}',
    agent, verbs[math.random(1, #verbs)], math.random(0, 999), math.random())
end

function request()
  counter = counter + 1
  local headers = { ["Authorization"] = auth, ["X-Experience-API-Version"] = "1.0.3" }
  if method == "POST" then
    headers["Content-Type"] = "application/json"
    local body
    if batch == 1 then
      body = statement()
    else
      local items = {}
      for i = 1, batch do
        items[i] = statement()
      end
      body = "[" .. table.concat(items, ",") .. "]"
    end
    return wrk.format("POST", "/xapi/statements", headers, body)
  end
  return wrk.format("GET", paths[(counter + id) % #paths + 1], headers)
end

function response(status, headers, body)
  if status ~= expect then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local wrong = 0
  for _, thread in ipairs(threads) do
    wrong = wrong + thread:get("unexpected")
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "duration_us": %d, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"timeout": %d, "status": %d, "unexpected_status": %d}, "latency_us": {"p50": %d, "p95": %d, "p99": %d, ' ..
    '"max": %d, "mean": %.1f}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.timeout, e.status, wrong,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max, latency.mean))
end
