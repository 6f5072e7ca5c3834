-- wrk script for the benchmarks (bench/run.py): every request goes out as one of the logged-in
-- sessions listed in $BENCH_SESSIONS (one per line: the Cookie header, a tab, and for POST the
-- form body), in turn. A POST gets a fresh form_key each time, so that every request is a real
-- write and never the replay of an earlier form. A response whose status is not $BENCH_EXPECT
-- counts as an error, as do wrk's own socket errors and timeouts; done() prints one JSON line.

local method = os.getenv("BENCH_METHOD") or "GET"
local expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
local nonce = os.getenv("BENCH_NONCE") or "run"
local threads = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end

function init(args)
  sessions = {}
  for line in io.lines(os.getenv("BENCH_SESSIONS")) do
    local cookie, body = line:match("^([^\t]*)\t?(.*)$")
    table.insert(sessions, { cookie = cookie, body = body })
  end
  counter = 0
  unexpected = 0
end

function request()
  counter = counter + 1
  local session = sessions[(counter + id) % #sessions + 1]
  local headers = { ["Cookie"] = session.cookie }
  if method == "POST" then
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    local key = string.format("%s-%d-%d", nonce, id, counter)
    return wrk.format("POST", nil, headers, session.body .. "&form_key=" .. key)
  end
  return wrk.format("GET", nil, headers)
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
