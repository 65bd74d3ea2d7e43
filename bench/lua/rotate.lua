-- wrk script for the bench: every request comes from a data file that bench/run.py
-- writes (bench/.data/wrk-<target>.lua), e.g.
--   return { method = "POST", items = {
--     { path = "/attempts/7/choose/", headers = { Cookie = "...", ["X-CSRFToken"] = "..." },
--       bodies = { "option=H12", "option=H13", ... } }, ... } }
-- Run as: wrk -t2 -c200 -d10s -s bench/lua/rotate.lua http://127.0.0.1:PORT -- DATAFILE NTHREADS
--
-- Each wrk thread takes every NTHREADS-th item and rotates over its items, so
-- consecutive requests go to different users/attempts. For an item with several
-- bodies (choice POSTs), the k-th visit to an item sends its k-th body: the next
-- not-yet-chosen option of that attempt, in a valid order. Visits to one item are
-- #items requests apart, far more than the requests a thread has in flight, so the
-- previous choice on an attempt has been answered before the next one is sent.
-- Once an attempt's options run out the last body repeats (the app answers 200:
-- a repeated choice is idempotent).
-- run.py rewrites the choice data file before every run from the database, so each
-- run starts at every attempt's next unchosen option (bench/README.md).

local counter = 0
local threads = {}

function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  threads[counter] = thread
end

function init(args)
  local data = dofile(args[1])
  local nthreads = tonumber(args[2] or "1")
  method = data.method or "GET"
  items = {}
  for i, item in ipairs(data.items) do
    if (i - 1) % nthreads == tid then
      items[#items + 1] = item
    end
  end
  if #items == 0 then
    items = data.items
  end
  n = #items
  i = 0
end

function request()
  local item = items[(i % n) + 1]
  local visit = math.floor(i / n)
  i = i + 1
  local body = nil
  if item.bodies then
    body = item.bodies[math.min(visit + 1, #item.bodies)]
  end
  return wrk.format(method, item.path, item.headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  local overtaken = 0
  for _, t in ipairs(threads) do
    overtaken = overtaken + (t:get("overtaken") or 0)  -- counted by choice.lua only
  end
  io.write(string.format(
    'BENCHJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p95":%d,"p99":%d,"mean":%.1f,"max":%d,"overtaken":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(95), latency:percentile(99),
    latency.mean, latency.max, overtaken))
end
