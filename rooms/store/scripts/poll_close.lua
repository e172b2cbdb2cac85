-- A host closes a poll (a quiz's draw closes it first): from now on no answer is taken, a quiz
-- shows its correct option. Idempotent: closing a closed poll changes and publishes nothing.
-- KEYS: 1 poll, 2 counts, 3 report facts
-- ARGV: 1 participant id (who closed it), 2 events channel
--! include _fact.lua
--! include _op.lua
if redis.call('EXISTS', KEYS[1]) == 0 then return redis.error_reply('not_found: no such poll') end
if redis.call('HGET', KEYS[1], 'state') ~= 'open' then return 0 end
redis.call('HSET', KEYS[1], 'state', 'closed', 'closed_at', string.format('%.3f', redis_now()),
  'closed_by', ARGV[1])
local p = {}
local raw = redis.call('HGETALL', KEYS[1])
for i = 1, #raw, 2 do p[raw[i]] = raw[i + 1] end
fact(KEYS[3], 'pclose', p.channel, p.id, p.total)
local counts = {}
raw = redis.call('HGETALL', KEYS[2])
for i = 1, #raw, 2 do counts[raw[i]] = tonumber(raw[i + 1]) end
redis.call('PUBLISH', ARGV[2], '{"e":' .. cjson.encode(
  {type = 'poll.changed', data = {p = p, counts = counts}, to = {kind = 'staff'}}) .. '}')
return 1
