-- Change a question's moderation or answer fields (approve, hide, edit, pin, answer, mark
-- answered) from an allowed status, re-place it in the channel's lists by its new state, clear
-- "answering now" if it no longer applies, log the action and publish qa.question.
-- KEYS: 1 question, 2 top, 3 new, 4 held, 5 settings, 6 log, 7 report facts
-- ARGV: 1 action, 2 allowed statuses (",a,b," or "" for any but merged), 3 actor id,
--       4 actor name, 5 now, 6 events channel, 7 log max length, 8 log detail,
--       9.. field, value pairs to set
--! include _fact.lua
local q = {}
local raw = redis.call('HGETALL', KEYS[1])
for i = 1, #raw, 2 do q[raw[i]] = raw[i + 1] end
if not q.id then return redis.error_reply('not_found: no such question') end
if q.status == 'merged' then
  return redis.error_reply('invalid_state: this question was merged into another one')
end
if ARGV[2] ~= '' and not string.find(ARGV[2], ',' .. q.status .. ',', 1, true) then
  return redis.error_reply('invalid_state: cannot ' .. ARGV[1] .. ' a ' .. q.status .. ' question')
end
local was = q.status
local set = {}
for i = 9, #ARGV, 2 do
  q[ARGV[i]] = ARGV[i + 1]
  set[#set + 1] = ARGV[i]; set[#set + 1] = ARGV[i + 1]
end
if #set > 0 then redis.call('HSET', KEYS[1], unpack(set)) end
if q.status == 'approved' then
  local score = tonumber(q.pinned) * 4503599627370496 + tonumber(q.votes) * 16777216
    + 16777215 - tonumber(q.seq)
  redis.call('ZADD', KEYS[2], string.format('%.0f', score), q.id)
  redis.call('ZADD', KEYS[3], q.seq, q.id)
  redis.call('ZREM', KEYS[4], q.id)
else
  redis.call('ZREM', KEYS[2], q.id)
  redis.call('ZREM', KEYS[3], q.id)
  redis.call('ZADD', KEYS[4], q.seq, q.id)
end
local to = {kind = 'staff'}
if q.channel ~= 'stage' then to = {kind = 'booth_staff', booth_id = q.channel} end
redis.call('XADD', KEYS[6], 'MAXLEN', '~', ARGV[7], '*', 'at', ARGV[5], 'actor', ARGV[3],
  'actor_name', ARGV[4], 'action', ARGV[1], 'channel', q.channel, 'question', q.id,
  'target', q.author_id, 'detail', ARGV[8])
fact(KEYS[7], 'q', q.channel, q.id, q.status, q.answered)
redis.call('PUBLISH', ARGV[6], '{"e":' .. cjson.encode(
  {type = 'qa.question', data = {q = q, was = was}, to = to}) .. '}')
if redis.call('HGET', KEYS[5], 'answering') == q.id
    and (q.status ~= 'approved' or q.answered == '1') then
  redis.call('HDEL', KEYS[5], 'answering')
  redis.call('PUBLISH', ARGV[6], '{"e":' .. cjson.encode({type = 'qa.settings', data = {
    channel = q.channel, premoderation = redis.call('HGET', KEYS[5], 'premoderation') == '1',
    answering = ''}, to = to}) .. '}')
end
return q.status
