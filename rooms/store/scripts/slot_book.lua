-- A worker books a place in a slot: refused once the slot has begun, when it is full, when they
-- already hold a place in it, or when another of their bookings (at any booth) overlaps it in
-- time. The booking carries the worker's answer to "may this booth read your dossier?",
-- recorded with the booking (or not at all), as a join does.
-- KEYS: 1 slots, 2 the slot's bookings, 3 the worker's slots, 4 the worker's dossier shares,
--   5 op, 6 queue audit, 7 booths, 8 the booths the worker declined, 9 report facts
-- ARGV: 1 channel, 2 worker id, 3 role, 4 op ttl, 5 audit max length; 6 slot id, 7 name,
--   8 contact, 9 longest slot seconds, 10 'share' | 'decline' | '' (no answer: an earlier one stands)
--! include _op.lua
--! include _fact.lua
--! include _consent.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[5], ttl)
if done then return done end
local now = redis_now()
local id, worker = ARGV[6], ARGV[2]

local raw = redis.call('HGET', KEYS[1], id)
if not raw then return redis.error_reply('not_found: no such interview time') end
local s = cjson.decode(raw)
if now >= s.starts_at then
  return redis.error_reply('invalid_state: this interview time has already begun')
end
if redis.call('HEXISTS', KEYS[2], worker) == 1 then
  return redis.error_reply('conflict: you have already booked this time')
end
local booked = redis.call('HLEN', KEYS[2])
if booked >= s.capacity then
  return redis.error_reply('limit_reached: this time is fully booked')
end
for _, other_id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], s.starts_at - tonumber(ARGV[9]),
    '(' .. s.ends_at)) do
  local other_raw = redis.call('HGET', KEYS[1], other_id)
  if other_raw then
    local other = cjson.decode(other_raw)
    if other.ends_at > s.starts_at then
      local booth = cjson.decode(redis.call('HGET', KEYS[7], other.booth_id) or '{}')
      return redis.error_reply('conflict: you already have an interview booked at that time (' ..
        (booth.employer or 'another booth') .. ')')
    end
  end
end

redis.call('HSET', KEYS[2], worker, cjson.encode({worker_id = worker, name = ARGV[7],
  contact = ARGV[8], booked_at = now}))
redis.call('ZADD', KEYS[3], s.starts_at, id)
consent_record(KEYS[4], KEYS[8], ARGV[1], worker, s.booth_id, ARGV[10])
booked = booked + 1
local public = {id = id, booth_id = s.booth_id, starts_at = s.starts_at, ends_at = s.ends_at,
  minutes = s.minutes, capacity = s.capacity, booked = booked, left = s.capacity - booked}
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', worker,
  'role', ARGV[3], 'action', 'slot_book', 'booth', s.booth_id, 'entry', '', 'worker', worker,
  'detail', id)
fact(KEYS[9], 'book', s.booth_id, id, worker)
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'slots.changed',
  data = {booth_id = s.booth_id, slots = {public}}, to = {kind = 'fair'}}}))
public.mine = true
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'slots.booking',
  data = {state = 'booked', slot = public}, to = {kind = 'user', user_id = worker}}}))
local out = cjson.encode(public)
return op_remember(KEYS[5], ttl, out)
