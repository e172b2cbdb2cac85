-- Merge a duplicate question into another of the same channel: the voter sets are united (a
-- participant who voted for both counts once; the target's author never counts), the duplicate
-- leaves every list, and both changes are logged and published.
-- KEYS: 1 from question, 2 into question, 3 from voters, 4 into voters, 5 top, 6 new, 7 held,
--       8 settings, 9 log, 10 report facts
-- ARGV: 1 actor id, 2 actor name, 3 now, 4 events channel, 5 log max length
--! include _fact.lua
local function load(key)
  local q = {}
  local raw = redis.call('HGETALL', key)
  for i = 1, #raw, 2 do q[raw[i]] = raw[i + 1] end
  return q
end
local from, into = load(KEYS[1]), load(KEYS[2])
if not from.id or not into.id then return redis.error_reply('not_found: no such question') end
if from.id == into.id then
  return redis.error_reply('invalid_input: cannot merge a question into itself')
end
if from.channel ~= into.channel then
  return redis.error_reply('invalid_input: both questions must be in the same channel')
end
if from.status == 'merged' or into.status == 'merged' then
  return redis.error_reply('invalid_state: this question was merged into another one')
end
local from_was = from.status
redis.call('SUNIONSTORE', KEYS[4], KEYS[4], KEYS[3])
redis.call('SREM', KEYS[4], into.author_id)
redis.call('DEL', KEYS[3])
into.votes = tostring(redis.call('SCARD', KEYS[4]))
redis.call('HSET', KEYS[2], 'votes', into.votes)
from.status, from.merged_into = 'merged', into.id
redis.call('HSET', KEYS[1], 'status', 'merged', 'merged_into', into.id)
for _, key in ipairs({KEYS[5], KEYS[6], KEYS[7]}) do redis.call('ZREM', key, from.id) end
if into.status == 'approved' then
  local score = tonumber(into.pinned) * 4503599627370496 + tonumber(into.votes) * 16777216
    + 16777215 - tonumber(into.seq)
  redis.call('ZADD', KEYS[5], string.format('%.0f', score), into.id)
end
local to = {kind = 'staff'}
if from.channel ~= 'stage' then to = {kind = 'booth_staff', booth_id = from.channel} end
redis.call('XADD', KEYS[9], 'MAXLEN', '~', ARGV[5], '*', 'at', ARGV[3], 'actor', ARGV[1],
  'actor_name', ARGV[2], 'action', 'merge', 'channel', from.channel, 'question', from.id,
  'target', from.author_id, 'detail', into.id)
fact(KEYS[10], 'q', from.channel, from.id, 'merged', from.answered)
redis.call('PUBLISH', ARGV[4], '{"e":' .. cjson.encode(
  {type = 'qa.question', data = {q = from, was = from_was}, to = to}) .. '}')
redis.call('PUBLISH', ARGV[4], '{"e":' .. cjson.encode(
  {type = 'qa.question', data = {q = into, was = into.status}, to = to}) .. '}')
if redis.call('HGET', KEYS[8], 'answering') == from.id then
  redis.call('HDEL', KEYS[8], 'answering')
  redis.call('PUBLISH', ARGV[4], '{"e":' .. cjson.encode({type = 'qa.settings', data = {
    channel = from.channel, premoderation = redis.call('HGET', KEYS[8], 'premoderation') == '1',
    answering = ''}, to = to}) .. '}')
end
return into.votes
