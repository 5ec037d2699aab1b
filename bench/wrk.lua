-- wrk script of the forum benchmark (bench/load.py writes the request file and reads the result line).
--
-- Arguments after "--": the request file and the status every answer should have.
-- Each line of the request file is: METHOD <tab> PATH <tab> HEADERS <tab> BODY, with headers
-- "Name: value" separated by the unit separator (\31). Each thread starts at its own place in
-- the list and sends the requests in turn. An answer with another status counts as an error
-- (a members' page answering 303 to the login form has failed, though wrk alone would count it
-- a success). done() prints one line: BENCH_RESULT {json}.

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("thread_number", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local prepared = {}
local position = 1
local expected_status = 200
answered = 0
unexpected = 0

function init(args)
  expected_status = tonumber(args[2])
  for line in io.lines(args[1]) do
    local method, path, header_text, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    for header in string.gmatch(header_text, "[^\31]+") do
      local name, value = header:match("^([^:]+): (.*)$")
      headers[name] = value
    end
    if body == "" then
      body = nil
    end
    table.insert(prepared, wrk.format(method, path, headers, body))
  end
  position = (thread_number * 7919) % #prepared + 1
end

function request()
  local next_request = prepared[position]
  position = position % #prepared + 1
  return next_request
end

function response(status, headers, body)
  answered = answered + 1
  if status ~= expected_status then
    unexpected = unexpected + 1
  end
end

function done(summary, latency, requests)
  local answered_total, unexpected_total = 0, 0
  for _, thread in ipairs(threads) do
    answered_total = answered_total + thread:get("answered")
    unexpected_total = unexpected_total + thread:get("unexpected")
  end
  local errors = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "connect_errors": %d, "read_errors": %d, '
      .. '"write_errors": %d, "timeouts": %d, "answered": %d, "unexpected_status": %d, '
      .. '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration, errors.connect, errors.read, errors.write, errors.timeout,
    answered_total, unexpected_total, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean
  ))
end
