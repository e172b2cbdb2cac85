-- A few minutes before a slot, each booked worker is reminded, once: the first node to remove the
-- `remind:<slot>` item publishes; another node sweeping at the same moment finds nothing.
-- KEYS: 1 slots due, 2 slots, 3 the slot's bookings
-- ARGV: 1 channel, 2 slot id
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local id = ARGV[2]
local due = redis.call('ZSCORE', KEYS[1], 'remind:' .. id)
if not due or tonumber(due) > now then return 0 end
redis.call('ZREM', KEYS[1], 'remind:' .. id)
local raw = redis.call('HGET', KEYS[2], id)
if not raw then return 0 end
local s = cjson.decode(raw)
local booked = redis.call('HKEYS', KEYS[3])
local public = {id = id, booth_id = s.booth_id, starts_at = s.starts_at, ends_at = s.ends_at,
  minutes = s.minutes, capacity = s.capacity, booked = #booked, left = s.capacity - #booked,
  mine = true}
for _, worker in ipairs(booked) do
  redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'slots.reminder',
    data = {slot = public, seconds = math.max(0, math.floor(s.starts_at - now))},
    to = {kind = 'user', user_id = worker}}}))
end
return #booked
