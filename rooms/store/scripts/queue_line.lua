-- A moderator pauses (no calls; joining still allowed), resumes, closes (no joins; those in line
-- can still be called) a booth's line, or caps its length ('' for no cap).
-- KEYS and ARGV 1-5: as in queue_join.lua.
-- ARGV: 6 booth, 7 mode (pause|resume|close|cap), 8 cap or ''
--! include _op.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[8], ttl)
if done then return done end
local now = redis_now()
local booth, mode = ARGV[6], ARGV[7]

if redis.call('HEXISTS', KEYS[16], booth) == 0 then
  return redis.error_reply('not_found: no such booth')
end
local state = redis.call('HGET', KEYS[10], 'state') or 'open'
local detail = ''
if mode == 'pause' then
  if state ~= 'open' then return redis.error_reply('invalid_state: the line is ' .. state) end
  state = 'paused'
elseif mode == 'resume' then
  if state == 'open' then return redis.error_reply('invalid_state: the line is already open') end
  state = 'open'
elseif mode == 'close' then
  if state == 'closed' then return redis.error_reply('invalid_state: the line is already closed') end
  state = 'closed'
else
  if ARGV[8] == '' then redis.call('HDEL', KEYS[10], 'cap') else redis.call('HSET', KEYS[10], 'cap', ARGV[8]) end
  detail = ARGV[8]
end
redis.call('HSET', KEYS[10], 'state', state)

redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', ARGV[2],
  'role', ARGV[3], 'action', mode, 'booth', booth, 'entry', '', 'worker', '', 'detail', detail)
local v = redis.call('HINCRBY', KEYS[6], 'v', 1)
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.changed',
  data = {booth_id = booth, v = v}, to = {kind = 'staff'}}}))
local out = cjson.encode({booth_id = booth, state = state,
  cap = tonumber(redis.call('HGET', KEYS[10], 'cap') or '0')})
return op_remember(KEYS[8], ttl, out)
