-- A moderator moves an entry of a booth's line to another position (1 = first). The entry gets a
-- score between its new neighbours; when no float fits between them the line is renumbered.
-- KEYS and ARGV 1-5: as in queue_join.lua.
-- ARGV: 6 booth, 7 entry id, 8 new position
--! include _op.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[8], ttl)
if done then return done end
local now = redis_now()
local booth, id = ARGV[6], ARGV[7]

local from = redis.call('ZRANK', KEYS[9], id)
if not from then return redis.error_reply('not_found: no such entry in this line') end
local size = redis.call('ZCARD', KEYS[9])
local to = math.max(1, math.min(size, tonumber(ARGV[8])))
redis.call('ZREM', KEYS[9], id)

local function neighbours()
  local before, after
  if to > 1 then before = tonumber(redis.call('ZRANGE', KEYS[9], to - 2, to - 2, 'WITHSCORES')[2]) end
  local a = redis.call('ZRANGE', KEYS[9], to - 1, to - 1, 'WITHSCORES')
  if a[2] then after = tonumber(a[2]) end
  return before, after
end
local before, after = neighbours()
local score
if not before and not after then score = 1
elseif not before then score = after - 1
elseif not after then score = before + 1
else
  score = (before + after) / 2
  if not (score > before and score < after) then
    local all = redis.call('ZRANGE', KEYS[9], 0, -1)
    for i, member in ipairs(all) do redis.call('ZADD', KEYS[9], i, member) end
    before, after = neighbours()
    score = (before + after) / 2
  end
end
redis.call('ZADD', KEYS[9], string.format('%.17g', score), id)

local e = cjson.decode(redis.call('HGET', KEYS[1], id))
redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', ARGV[2],
  'role', ARGV[3], 'action', 'reorder', 'booth', booth, 'entry', id, 'worker', e.worker_id,
  'detail', (from + 1) .. ' -> ' .. to)
local v = redis.call('HINCRBY', KEYS[6], 'v', 1)
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.changed',
  data = {booth_id = booth, v = v}, to = {kind = 'staff'}}}))
e.position = to
e.size = size
local out = cjson.encode(e)
return op_remember(KEYS[8], ttl, out)
