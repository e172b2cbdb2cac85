-- Set a channel's pre-moderation flag or its "answering now" question (an approved question of
-- the channel, or none), log it and publish qa.settings to everyone watching the channel.
-- KEYS: 1 settings, 2 log, 3 question (the answering target; any key of the fair otherwise)
-- ARGV: 1 field (premoderation|answering), 2 value ("1"/"0", question id or ""), 3 actor id,
--       4 actor name, 5 now, 6 channel, 7 events channel, 8 log max length
local channel, value = ARGV[6], ARGV[2]
if ARGV[1] == 'answering' and value ~= '' then
  local q = {}
  local raw = redis.call('HGETALL', KEYS[3])
  for i = 1, #raw, 2 do q[raw[i]] = raw[i + 1] end
  if not q.id or q.channel ~= channel then
    return redis.error_reply('not_found: no such question in this channel')
  end
  if q.status ~= 'approved' then
    return redis.error_reply('invalid_state: only an approved question can be answered live')
  end
end
if value == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], value) end
redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[8], '*', 'at', ARGV[5], 'actor', ARGV[3],
  'actor_name', ARGV[4], 'action', ARGV[1], 'channel', channel, 'question', '',
  'target', '', 'detail', value)
local to = {kind = 'staff'}
if channel ~= 'stage' then to = {kind = 'booth_staff', booth_id = channel} end
redis.call('PUBLISH', ARGV[7], '{"e":' .. cjson.encode({type = 'qa.settings', data = {
  channel = channel, premoderation = redis.call('HGET', KEYS[1], 'premoderation') == '1',
  answering = redis.call('HGET', KEYS[1], 'answering') or ''}, to = to}) .. '}')
return 1
