-- Staff call the first waiting entry of a booth's line (entry '') or one chosen entry: it leaves
-- the line for the booth's active calls with a deadline for the answer; the worker's entries in
-- other lines are held. Two callers can never get the same entry: this runs alone.
-- KEYS and ARGV 1-5: as in queue_join.lua.
-- ARGV: 6 booth, 7 entry id or '' (the next one), 8 default call seconds
--! include _op.lua
--! include _fact.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[8], ttl)
if done then return done end
local now = redis_now()
local booth, id, actor = ARGV[6], ARGV[7], ARGV[2]

if (redis.call('HGET', KEYS[10], 'state') or 'open') == 'paused' then
  return redis.error_reply('invalid_state: this line is paused; resume it to call')
end
if redis.call('HEXISTS', KEYS[3], actor) == 1 then
  return redis.error_reply('staff_busy: you already have a call or an interview under way; ' ..
    'finish it first')
end
local e
if id == '' then
  local size = redis.call('ZCARD', KEYS[9])
  if size == 0 then return redis.error_reply('invalid_state: the line is empty') end
  local start = 0
  while not e and start < size do
    for _, candidate in ipairs(redis.call('ZRANGE', KEYS[9], start, start + 49)) do
      local c = cjson.decode(redis.call('HGET', KEYS[1], candidate))
      if c.state == 'waiting' then
        e = c
        break
      end
    end
    start = start + 50
  end
  if not e then
    return redis.error_reply('invalid_state: everyone in the line is in another interview')
  end
  id = e.id
else
  if not redis.call('ZSCORE', KEYS[9], id) then
    return redis.error_reply('not_found: no such entry in this line')
  end
  e = cjson.decode(redis.call('HGET', KEYS[1], id))
  if e.state == 'held' then
    return redis.error_reply('invalid_state: this person is in another interview; ' ..
      'they keep their place')
  end
end

local seconds = tonumber(redis.call('HGET', KEYS[6], 'call_seconds') or ARGV[8])
e.state = 'called'
e.called_at = now
e.called_by = actor
e.deadline = now + seconds
redis.call('ZREM', KEYS[9], id)
redis.call('ZADD', KEYS[11], now, id)
redis.call('HSET', KEYS[1], id, cjson.encode(e))
redis.call('HSET', KEYS[3], e.worker_id, id, actor, id)
redis.call('ZADD', KEYS[4], e.deadline, 'call:' .. id)
redis.call('ZADD', KEYS[14], now, actor)

local v = redis.call('HINCRBY', KEYS[6], 'v', 1)
local held = 0
local mine = cjson.decode(redis.call('HGET', KEYS[2], e.worker_id) or '{}')
for other_booth, other in pairs(mine) do
  local o = cjson.decode(redis.call('HGET', KEYS[1], other))
  if o.state == 'waiting' then
    o.state = 'held'
    redis.call('HSET', KEYS[1], other, cjson.encode(o))
    held = held + 1
    redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.entry', data = o,
      to = {kind = 'user', user_id = o.worker_id}}}))
    redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.changed',
      data = {booth_id = other_booth, v = v}, to = {kind = 'staff'}}}))
  end
end

redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', actor,
  'role', ARGV[3], 'action', 'call', 'booth', booth, 'entry', id, 'worker', e.worker_id,
  'detail', (ARGV[7] == '' and 'next' or 'chosen') .. '; held elsewhere: ' .. held)
fact(KEYS[18], 'call', booth, id, actor)
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.changed',
  data = {booth_id = booth, v = v}, to = {kind = 'staff'}}}))
if not e.walk_in then
  local prompt = cjson.decode(cjson.encode(e))
  prompt.seconds = seconds
  redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.entry', data = prompt,
    to = {kind = 'user', user_id = e.worker_id}}}))
end
return op_remember(KEYS[8], ttl, cjson.encode(e))
