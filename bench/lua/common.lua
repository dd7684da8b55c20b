-- Shared by the benchmark's wrk scripts.
--
-- The runner writes a request file (one request per line, fields separated by tabs) and
-- starts wrk with:  -- <request file> <wrk threads> <expected status>
-- Each wrk thread takes every Nth line (its own slice, so pool entries such as quiz attempts
-- are used once each), and sends its slice's requests in turn, wrapping around at the end.
-- Statuses are counted and, when wrk finishes, one line starting "BENCH_RESULT " carries the
-- figures as JSON for the runner: requests, duration, latency percentiles, statuses, errors,
-- and whether any thread ran past the end of its slice.
local M = {}

local function split(line)
  local fields = {}
  for field in (line .. "\t"):gmatch("([^\t]*)\t") do
    fields[#fields + 1] = field
  end
  return fields
end

function M.install(build)
  local threads = {}
  local counter = 0

  function setup(thread)
    thread:set("thread_index", counter)
    counter = counter + 1
    threads[#threads + 1] = thread
  end

  function init(args)
    local path, nthreads = args[1], tonumber(args[2]) or 1
    expected = tonumber(args[3]) or 200
    requests, statuses, bad, sent, position = {}, {}, 0, 0, 0
    local lines = {}
    for line in io.lines(path) do
      if line ~= "" then
        lines[#lines + 1] = line
      end
    end
    if #lines == 0 then
      error("no requests in " .. path)
    end
    for n, line in ipairs(lines) do
      if (n - 1) % nthreads == thread_index then
        requests[#requests + 1] = build(split(line))
      end
    end
    if #requests == 0 then
      -- Fewer lines than threads (e.g. one URL for everyone): every thread sends them all.
      for _, line in ipairs(lines) do
        requests[#requests + 1] = build(split(line))
      end
    end
    slice = #requests
  end

  function request()
    position = position % slice + 1
    sent = sent + 1
    return requests[position]
  end

  function response(status, headers, body)
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
    if status ~= expected then
      bad = bad + 1
    end
  end

  function done(summary, latency, requests_)
    local merged, unexpected, total_sent, overrun, slices = {}, 0, 0, 0, 0
    for _, thread in ipairs(threads) do
      for key, value in pairs(thread:get("statuses")) do
        merged[key] = (merged[key] or 0) + value
      end
      unexpected = unexpected + thread:get("bad")
      local thread_sent, thread_slice = thread:get("sent"), thread:get("slice")
      total_sent = total_sent + thread_sent
      slices = slices + thread_slice
      if thread_sent > thread_slice then
        overrun = overrun + (thread_sent - thread_slice)
      end
    end
    local parts = {}
    for key, value in pairs(merged) do
      parts[#parts + 1] = string.format('"%s":%d', key, value)
    end
    local errors = summary.errors
    io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,' ..
      '"p50_us":%d,"p75_us":%d,"p90_us":%d,"p95_us":%d,"p99_us":%d,' ..
      '"mean_us":%.1f,"max_us":%d,"statuses":{%s},"unexpected":%d,"sent":%d,"pool":%d,' ..
      '"overrun":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}}\n',
      summary.requests, summary.duration, summary.bytes,
      latency:percentile(50), latency:percentile(75), latency:percentile(90),
      latency:percentile(95), latency:percentile(99), latency.mean, latency.max,
      table.concat(parts, ","), unexpected, total_sent, slices, overrun,
      errors.connect, errors.read, errors.write, errors.status, errors.timeout))
  end
end

return M
