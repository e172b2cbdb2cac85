-- A booth's staff publish interview slots (one or several back to back): each must start in the
-- future and overlap no other slot of the booth. Each slot is scheduled in the slots-due zset:
-- `start:<slot>` at its start (the sweeper places the booked workers at the head of the line) and
-- `remind:<slot>` a few minutes before (when that is still ahead). All or nothing.
-- KEYS: 1 slots, 2 booth slots, 3 slots due, 4 booths, 5 op, 6 queue audit
-- ARGV: 1 channel, 2 actor id, 3 actor role, 4 op ttl, 5 audit max length; 6 booth,
--   7 remind seconds before, 8 longest slot seconds, 9 audit detail,
--   10.. groups of 4: slot id, starts_at, minutes, capacity
--! include _op.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[5], ttl)
if done then return done end
local now = redis_now()
local booth, remind, longest = ARGV[6], tonumber(ARGV[7]), tonumber(ARGV[8])

local function hhmm(at)
  return string.format('%02d:%02d UTC', math.floor(at % 86400 / 3600), math.floor(at % 3600 / 60))
end

if redis.call('HEXISTS', KEYS[4], booth) == 0 then
  return redis.error_reply('not_found: no such booth')
end
local new = {}
for i = 10, #ARGV, 4 do
  local s = {id = ARGV[i], booth_id = booth, starts_at = tonumber(ARGV[i + 1]),
    minutes = tonumber(ARGV[i + 2]), capacity = tonumber(ARGV[i + 3]), created_at = now,
    created_by = ARGV[2], placed_at = 0}
  s.ends_at = s.starts_at + s.minutes * 60
  if s.starts_at <= now then
    return redis.error_reply('invalid_input: a slot must start in the future')
  end
  for _, other_id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], s.starts_at - longest,
      '(' .. s.ends_at)) do
    local other = cjson.decode(redis.call('HGET', KEYS[1], other_id))
    if other.ends_at > s.starts_at then
      return redis.error_reply('conflict: this time overlaps the booth\'s slot at ' ..
        hhmm(other.starts_at))
    end
  end
  for _, other in ipairs(new) do
    if other.starts_at < s.ends_at and other.ends_at > s.starts_at then
      return redis.error_reply('conflict: these slots overlap each other')
    end
  end
  new[#new + 1] = s
end

local out = {}
for _, s in ipairs(new) do
  redis.call('HSET', KEYS[1], s.id, cjson.encode(s))
  redis.call('ZADD', KEYS[2], s.starts_at, s.id)
  redis.call('ZADD', KEYS[3], s.starts_at, 'start:' .. s.id)
  if s.starts_at - remind > now then
    redis.call('ZADD', KEYS[3], s.starts_at - remind, 'remind:' .. s.id)
  end
  out[#out + 1] = {id = s.id, booth_id = booth, starts_at = s.starts_at, ends_at = s.ends_at,
    minutes = s.minutes, capacity = s.capacity, booked = 0, left = s.capacity}
end
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', ARGV[2],
  'role', ARGV[3], 'action', 'slots_publish', 'booth', booth, 'entry', '', 'worker', '',
  'detail', ARGV[9])
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'slots.changed',
  data = {booth_id = booth, slots = out}, to = {kind = 'fair'}}}))
local result = cjson.encode({booth_id = booth, slots = out})
return op_remember(KEYS[5], ttl, result)
