-- A worker gives up their place in a slot before it begins (after that they are in the booth's
-- line, and leave it there).
-- KEYS: 1 slots, 2 the slot's bookings, 3 the worker's slots, 4 op, 5 queue audit
-- ARGV: 1 channel, 2 worker id, 3 role, 4 op ttl, 5 audit max length; 6 slot id
--! include _op.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[4], ttl)
if done then return done end
local now = redis_now()
local id, worker = ARGV[6], ARGV[2]

local raw = redis.call('HGET', KEYS[1], id)
if not raw then return redis.error_reply('not_found: no such interview time') end
local s = cjson.decode(raw)
if redis.call('HEXISTS', KEYS[2], worker) == 0 then
  return redis.error_reply('not_found: you have not booked this time')
end
if now >= s.starts_at then
  return redis.error_reply('invalid_state: this interview time has begun; you are in the ' ..
    'booth\'s line now, leave it there')
end

redis.call('HDEL', KEYS[2], worker)
redis.call('ZREM', KEYS[3], id)
local booked = redis.call('HLEN', KEYS[2])
local public = {id = id, booth_id = s.booth_id, starts_at = s.starts_at, ends_at = s.ends_at,
  minutes = s.minutes, capacity = s.capacity, booked = booked, left = s.capacity - booked}
redis.call('XADD', KEYS[5], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', worker,
  'role', ARGV[3], 'action', 'slot_cancel', 'booth', s.booth_id, 'entry', '', 'worker', worker,
  'detail', id)
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'slots.changed',
  data = {booth_id = s.booth_id, slots = {public}}, to = {kind = 'fair'}}}))
public.mine = false
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'slots.booking',
  data = {state = 'cancelled', slot = public}, to = {kind = 'user', user_id = worker}}}))
local out = cjson.encode(public)
return op_remember(KEYS[4], ttl, out)
