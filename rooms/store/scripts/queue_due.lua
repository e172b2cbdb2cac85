-- What the sweeper must do now in one fair (Redis time, so every node agrees): the call and
-- interview deadlines that passed (`call:<entry>`, `talk:<entry>`), and the workers gone past
-- their grace period who still wait in a line (`drop:<worker>`). Ended entries past their keeping
-- time are purged here; a gone worker with nothing left to drop is forgotten.
-- KEYS: 1 entries, 2 index, 3 deadlines, 4 seen, 5 settings
-- ARGV: 1 default grace seconds, 2 most items per run
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local out = {}
for _, member in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, ARGV[2])) do
  if string.sub(member, 1, 3) == 'gc:' then
    redis.call('HDEL', KEYS[1], string.sub(member, 4))
    redis.call('ZREM', KEYS[3], member)
  else
    out[#out + 1] = member
  end
end
local grace = tonumber(redis.call('HGET', KEYS[5], 'grace_seconds') or ARGV[1])
for _, worker in ipairs(redis.call('ZRANGEBYSCORE', KEYS[4], '-inf', now - grace, 'LIMIT', 0, ARGV[2])) do
  local waiting = false
  for _, id in pairs(cjson.decode(redis.call('HGET', KEYS[2], worker) or '{}')) do
    local state = cjson.decode(redis.call('HGET', KEYS[1], id)).state
    if state == 'waiting' or state == 'held' then waiting = true end
  end
  if waiting then out[#out + 1] = 'drop:' .. worker else redis.call('ZREM', KEYS[4], worker) end
end
return out
