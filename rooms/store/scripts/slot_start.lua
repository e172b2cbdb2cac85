-- A slot begins: each booked worker, in booking order, is placed at the head of the booth's line,
-- behind only those booked into earlier slots who still wait there, ahead of every walk-up. A
-- worker already waiting in that line is moved there (no second entry); one being called or
-- interviewed there is left alone. A worker busy at another booth is placed `held` (keeps the
-- place, called once free). The place may take a worker past the fair's lines-per-worker limit,
-- and ignores the line's cap and state: the booking was confirmed when it was made. The first
-- node to remove the `start:<slot>` item acts; another sweeping at the same moment finds nothing.
-- KEYS 1-18: as in queue_join.lua (the slot's booth); 19 slots, 20 the slot's bookings,
--   21 slots due
-- ARGV 1-5: as in queue_join.lua; 6 slot id, 7.. fresh entry ids (at least one per booking)
--! include _fact.lua
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local id = ARGV[6]
local due = redis.call('ZSCORE', KEYS[21], 'start:' .. id)
if not due then return cjson.encode({noop = 'done'}) end
if tonumber(due) > now then return cjson.encode({noop = 'early'}) end
redis.call('ZREM', KEYS[21], 'start:' .. id)
local raw = redis.call('HGET', KEYS[19], id)
if not raw then return cjson.encode({noop = 'removed'}) end
local s = cjson.decode(raw)
local booth = s.booth_id

local bookings = {}
for _, b in ipairs(redis.call('HVALS', KEYS[20])) do bookings[#bookings + 1] = cjson.decode(b) end
table.sort(bookings, function(a, b) return a.booked_at < b.booked_at end)

local function audit(worker, entry, detail)
  redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', ARGV[2],
    'role', ARGV[3], 'action', 'slot', 'booth', booth, 'entry', entry, 'worker', worker,
    'detail', 'slot ' .. id .. '; ' .. detail)
end

local placed, skipped, fresh = {}, 0, 7
for _, b in ipairs(bookings) do
  local mine = cjson.decode(redis.call('HGET', KEYS[2], b.worker_id) or '{}')
  local e
  if mine[booth] then
    e = cjson.decode(redis.call('HGET', KEYS[1], mine[booth]))
    if e.state == 'waiting' or e.state == 'held' then
      redis.call('ZREM', KEYS[9], e.id)
      audit(b.worker_id, e.id, 'moved to the head')
    else
      audit(b.worker_id, e.id, 'already ' .. e.state .. ' here')
      skipped = skipped + 1
      e = nil
    end
  else
    local state = 'waiting'
    if redis.call('HEXISTS', KEYS[3], b.worker_id) == 1 then state = 'held' end
    e = {id = ARGV[fresh], booth_id = booth, worker_id = b.worker_id, name = b.name,
      contact = b.contact, walk_in = false, job_id = '', state = state, joined_at = now,
      called_at = 0, called_by = '', deadline = 0, accepted_at = 0, interview_id = '',
      ended_at = 0}
    fresh = fresh + 1
    mine[booth] = e.id
    redis.call('HSET', KEYS[2], b.worker_id, cjson.encode(mine))
    audit(b.worker_id, e.id, 'placed at the head')
    fact(KEYS[18], 'join', booth, e.id, b.worker_id, '')
  end
  if e then
    e.slot_id = id
    placed[#placed + 1] = e
  end
end

-- The scores around the place: after the leading run of booked entries, before the first other.
local function around()
  local before, after, start = nil, nil, 0
  while true do
    local chunk = redis.call('ZRANGE', KEYS[9], start, start + 49, 'WITHSCORES')
    if #chunk == 0 then return before, nil end
    for i = 1, #chunk, 2 do
      local other = cjson.decode(redis.call('HGET', KEYS[1], chunk[i]))
      if not other.slot_id or other.slot_id == '' then return before, tonumber(chunk[i + 1]) end
      before = tonumber(chunk[i + 1])
    end
    start = start + 50
  end
end

local n = #placed
if n > 0 then
  local before, after = around()
  local function score(i)
    if not before and not after then return i end
    if not before then return after - (n - i + 1) end
    if not after then return before + i end
    return before + (after - before) * i / (n + 1)
  end
  local function fits()
    local last = before or -math.huge
    for i = 1, n do
      if not (score(i) > last) then return false end
      last = score(i)
    end
    return not after or last < after
  end
  if not fits() then
    for i, member in ipairs(redis.call('ZRANGE', KEYS[9], 0, -1)) do
      redis.call('ZADD', KEYS[9], i, member)
    end
    before, after = around()
  end
  for i, e in ipairs(placed) do
    redis.call('ZADD', KEYS[9], string.format('%.17g', score(i)), e.id)
    redis.call('HSET', KEYS[1], e.id, cjson.encode(e))
    redis.call('ZADD', KEYS[5], 'NX', now, e.worker_id)
  end
end
s.placed_at = now
redis.call('HSET', KEYS[19], id, cjson.encode(s))

local v = redis.call('HINCRBY', KEYS[6], 'v', 1)
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.changed',
  data = {booth_id = booth, v = v}, to = {kind = 'staff'}}}))
local ids = {}
for _, e in ipairs(placed) do
  ids[#ids + 1] = e.id
  redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.entry', data = e,
    to = {kind = 'user', user_id = e.worker_id}}}))
end
return cjson.encode({slot_id = id, booth_id = booth, placed = ids, skipped = skipped})
