-- An entry leaves the line before being called: the worker leaves (leave), a moderator removes
-- it (remove), or the sweeper drops it because the worker has been gone past the grace period
-- (drop: refused quietly, as {"noop":...}, when the worker came back meanwhile).
-- KEYS and ARGV 1-5: as in queue_join.lua.
-- ARGV: 6 mode (leave|remove|drop), 7 entry id, 8 booth, 9 default grace seconds,
--   10 seconds an ended entry is kept
--! include _op.lua
--! include _fact.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[8], ttl)
if done then return done end
local now = redis_now()
local mode, id, booth = ARGV[6], ARGV[7], ARGV[8]

local raw = redis.call('HGET', KEYS[1], id)
if not raw then return redis.error_reply('not_found: no such entry') end
local e = cjson.decode(raw)
if e.booth_id ~= booth then return redis.error_reply('not_found: no such entry') end
if mode == 'leave' and e.worker_id ~= ARGV[2] then
  return redis.error_reply('forbidden: this is not your place in line')
end
if mode == 'drop' then
  local grace = tonumber(redis.call('HGET', KEYS[6], 'grace_seconds') or ARGV[9])
  local seen = tonumber(redis.call('ZSCORE', KEYS[5], e.worker_id) or '0')
  if seen > now - grace then return cjson.encode({noop = 'present'}) end
  if e.state ~= 'waiting' and e.state ~= 'held' then return cjson.encode({noop = e.state}) end
end
if e.state == 'called' then
  return redis.error_reply('invalid_state: this place is being called: accept or decline')
elseif e.state == 'interviewing' then
  return redis.error_reply('invalid_state: the interview is under way')
elseif e.state ~= 'waiting' and e.state ~= 'held' then
  return redis.error_reply('invalid_state: this place in line has already ended (' .. e.state .. ')')
end

redis.call('ZREM', KEYS[9], id)
local mine = cjson.decode(redis.call('HGET', KEYS[2], e.worker_id) or '{}')
mine[booth] = nil
if next(mine) then
  redis.call('HSET', KEYS[2], e.worker_id, cjson.encode(mine))
else
  redis.call('HDEL', KEYS[2], e.worker_id)
end
local ended = {leave = 'left', remove = 'removed', drop = 'dropped'}
e.state = ended[mode]
e.ended_at = now
redis.call('HSET', KEYS[1], id, cjson.encode(e))
redis.call('ZADD', KEYS[4], now + tonumber(ARGV[10]), 'gc:' .. id)

redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', ARGV[2],
  'role', ARGV[3], 'action', mode, 'booth', booth, 'entry', id, 'worker', e.worker_id,
  'detail', '')
fact(KEYS[18], 'leave', booth, id, mode)
local v = redis.call('HINCRBY', KEYS[6], 'v', 1)
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.changed',
  data = {booth_id = booth, v = v}, to = {kind = 'staff'}}}))
if not e.walk_in then
  redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.entry', data = e,
    to = {kind = 'user', user_id = e.worker_id}}}))
end
return op_remember(KEYS[8], ttl, cjson.encode(e))
