-- A booth's staff remove a slot: its bookings are cancelled and each booked worker is told (unless
-- the slot has begun: they are in the line by then). The caller passes the booked workers' keys;
-- when the bookings changed since it read them, this answers `stale` and it reads again.
-- KEYS: 1 slots, 2 booth slots, 3 slots due, 4 the slot's bookings, 5 op, 6 queue audit,
--   7.. the slots zset of each booked worker
-- ARGV: 1 channel, 2 actor id, 3 actor role, 4 op ttl, 5 audit max length; 6 slot id, 7 booth,
--   8.. the booked workers' ids, in the order of KEYS 7..
--! include _op.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[5], ttl)
if done then return done end
local now = redis_now()
local id, booth = ARGV[6], ARGV[7]

local raw = redis.call('HGET', KEYS[1], id)
if not raw then return redis.error_reply('not_found: no such interview time') end
local s = cjson.decode(raw)
if s.booth_id ~= booth then return redis.error_reply('not_found: no such interview time') end
local passed = {}
for i = 8, #ARGV do passed[ARGV[i]] = true end
local booked = redis.call('HKEYS', KEYS[4])
if #booked ~= #ARGV - 7 then return redis.error_reply('stale: the bookings changed') end
for _, worker in ipairs(booked) do
  if not passed[worker] then return redis.error_reply('stale: the bookings changed') end
end

local begun = now >= s.starts_at
local public = {id = id, booth_id = booth, starts_at = s.starts_at, ends_at = s.ends_at,
  minutes = s.minutes, capacity = s.capacity, booked = 0, left = s.capacity, mine = false}
local told = 0
for i = 8, #ARGV do
  redis.call('ZREM', KEYS[i - 1], id)
  if not begun then
    told = told + 1
    redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'slots.booking',
      data = {state = 'removed', slot = public}, to = {kind = 'user', user_id = ARGV[i]}}}))
  end
end
redis.call('DEL', KEYS[4])
redis.call('HDEL', KEYS[1], id)
redis.call('ZREM', KEYS[2], id)
redis.call('ZREM', KEYS[3], 'start:' .. id, 'remind:' .. id)
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', ARGV[2],
  'role', ARGV[3], 'action', 'slot_remove', 'booth', booth, 'entry', '', 'worker', '',
  'detail', id .. '; bookings cancelled: ' .. told)
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'slots.changed',
  data = {booth_id = booth, removed = {id}}, to = {kind = 'fair'}}}))
local out = cjson.encode({id = id, booth_id = booth, removed = true, told = told})
return op_remember(KEYS[5], ttl, out)
