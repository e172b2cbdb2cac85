-- Mute, remove (a Q&A ban) or restore a participant of the fair: they keep watching and queueing
-- but may not ask or vote. Logged; the participant is told (qa.restricted) so their form closes.
-- KEYS: 1 restricted, 2 people, 3 log
-- ARGV: 1 participant id, 2 state (muted|removed|"" to restore), 3 actor id, 4 actor name,
--       5 now, 6 events channel, 7 log max length, 8 action name
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return redis.error_reply('not_found: no such participant in this fair')
end
local before = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[7], '*', 'at', ARGV[5], 'actor', ARGV[3],
  'actor_name', ARGV[4], 'action', ARGV[8], 'channel', '', 'question', '',
  'target', ARGV[1], 'detail', before)
redis.call('PUBLISH', ARGV[6], '{"e":' .. cjson.encode({type = 'qa.restricted',
  data = {user_id = ARGV[1], state = ARGV[2]}, to = {kind = 'user', user_id = ARGV[1]}}) .. '}')
return before
