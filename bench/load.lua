-- wrk script for bench/load.py: POST /graphql with an ADMIN token, one of three scenarios.
--
--   LOAD_SCENARIO=trivial|read|mixed LOAD_TOKEN=... [LOAD_MATCH_IDS=a,b,c LOAD_TODAY=YYYY-MM-DD
--   LOAD_WRITE_PERCENT=10] wrk -t1 -c16 -d60s -s bench/load.lua http://127.0.0.1:PORT/graphql
--
-- trivial: { __typename }
-- read:    20 welcome groups with their members, contact details (email, phone) included
-- read_nocontact: the same without the members' email and phone (every contact-detail read
--          writes an audit entry, so the two differ by up to two audit inserts per member)
-- read_uncached: read_nocontact with a comment holding a counter at the end of the query
--          text, so no two requests are the same and none is answered from the response cache
-- mixed:   the read above, and LOAD_WRITE_PERCENT % writes: registerNewcomer (valid data) and
--          logActivity on an ACTIVE match, half each
--
-- Every response body is checked for "errors"; done() prints one line
-- `LOADJSON {...}` with counts and latency percentiles (microseconds) for load.py.

local scenario = os.getenv("LOAD_SCENARIO") or "trivial"
local token = os.getenv("LOAD_TOKEN") or ""
local today = os.getenv("LOAD_TODAY") or "2026-01-01"
local write_percent = tonumber(os.getenv("LOAD_WRITE_PERCENT") or "10")
local match_ids = {}
for id in string.gmatch(os.getenv("LOAD_MATCH_IDS") or "", "[^,]+") do
  match_ids[#match_ids + 1] = id
end

local headers = {
  ["Content-Type"] = "application/json",
  ["Accept"] = "application/json",
  ["Authorization"] = "Bearer " .. token,
}

local TRIVIAL = '{"query":"{ __typename }"}'

local READ = '{"query":"query Groups { welcomeGroups(first: 20) { totalCount pageInfo { hasNextPage endCursor } '
  .. 'edges { cursor node { id name neighbourhood status capacity languages interests memberCount '
  .. 'city { slug name } coordinator { id name } '
  .. 'members { id name email phone birthYear languages interests sector isCoordinator } } } } }"}'

local READ_NOCONTACT = '{"query":"query Groups { welcomeGroups(first: 20) { totalCount pageInfo { hasNextPage endCursor } '
  .. 'edges { cursor node { id name neighbourhood status capacity languages interests memberCount '
  .. 'city { slug name } coordinator { id name } '
  .. 'members { id name birthYear languages interests sector isCoordinator } } } } }"}'

-- READ_NOCONTACT without its closing quote and brace, for read_uncached's comment.
local READ_NOCONTACT_OPEN = string.sub(READ_NOCONTACT, 1, -3)

local REGISTER_Q = 'mutation Register($i: RegisterNewcomerInput!) { registerNewcomer(input: $i) { id status } }'
local ACTIVITY_Q = 'mutation Log($m: ID!, $i: ActivityInput!) { logActivity(matchId: $m, input: $i) { id } }'

-- main state: the threads, for done()
threads = {}
local nthreads = 0
-- per-thread state (each wrk thread runs its own copy of this script)
local counter = 0
reads, writes, read_errors, write_errors, gql_errors, non2xx = 0, 0, 0, 0, 0, 0

function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
  table.insert(threads, thread)
end

function init(args)
  math.randomseed(os.time() * 1000 + (tid or 0))
  trivial_req = wrk.format("POST", nil, headers, TRIVIAL)
  read_req = wrk.format("POST", nil, headers, READ)
  read_nocontact_req = wrk.format("POST", nil, headers, READ_NOCONTACT)
end

local function register_body()
  counter = counter + 1
  return '{"query":"' .. REGISTER_Q .. '","variables":{"i":{'
    .. '"citySlug":"almere","name":"Load Test ' .. counter .. '","birthYear":1990,"gender":"FEMALE",'
    .. '"countryOfOrigin":"SY","languages":[{"code":"ar","level":"NATIVE"}],"dutchLevel":"A1",'
    .. '"interests":["cooking"],"goals":["WORK"],"householdAdults":1,"childrenAges":[4],'
    .. '"arrivalDate":"2026-01-15"}}}'
end

local function activity_body()
  local m = match_ids[math.random(#match_ids)]
  return '{"query":"' .. ACTIVITY_Q .. '","variables":{"m":"' .. m .. '","i":{'
    .. '"date":"' .. today .. '","kind":"MEAL","durationMinutes":90,"participants":5}}}'
end

-- A response is told to be a write's by its body (the mutation's name is in `data` or in the
-- error's `path`), since wrk does not say which request a response answers.
function request()
  if scenario == "trivial" then
    return trivial_req
  elseif scenario == "read" then
    return read_req
  elseif scenario == "read_nocontact" then
    return read_nocontact_req
  elseif scenario == "read_uncached" then
    counter = counter + 1
    return wrk.format("POST", nil, headers, READ_NOCONTACT_OPEN .. '\\n# ' .. tid .. '-' .. counter .. '"}')
  end
  if math.random(100) <= write_percent then
    if #match_ids == 0 or math.random(2) == 1 then
      return wrk.format("POST", nil, headers, register_body())
    end
    return wrk.format("POST", nil, headers, activity_body())
  end
  return read_req
end

function response(status, hdrs, body)
  local is_write = string.find(body, '"registerNewcomer"', 1, true) ~= nil
    or string.find(body, '"logActivity"', 1, true) ~= nil
  local has_errors = string.find(body, '"errors"', 1, true) ~= nil
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
  end
  if is_write then
    writes = writes + 1
    if has_errors then write_errors = write_errors + 1 end
  else
    reads = reads + 1
    if has_errors then read_errors = read_errors + 1 end
  end
  if has_errors then gql_errors = gql_errors + 1 end
end

function done(summary, latency, requests)
  local tot = { reads = 0, writes = 0, read_errors = 0, write_errors = 0, gql_errors = 0, non2xx = 0 }
  for _, t in ipairs(threads or {}) do
    for k, _ in pairs(tot) do
      tot[k] = tot[k] + (t:get(k) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    'LOADJSON {"scenario":"%s","requests":%d,"duration_us":%d,"bytes":%d,'
      .. '"p50_us":%d,"p90_us":%d,"p99_us":%d,"max_us":%d,"mean_us":%.1f,'
      .. '"socket_errors":{"connect":%d,"read":%d,"write":%d,"timeout":%d},"status_errors":%d,'
      .. '"non2xx":%d,"gql_errors":%d,"reads":%d,"writes":%d,"read_errors":%d,"write_errors":%d}\n',
    scenario, summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean,
    e.connect, e.read, e.write, e.timeout, e.status,
    tot.non2xx, tot.gql_errors, tot.reads, tot.writes, tot.read_errors, tot.write_errors))
end
