-- Vote for (or withdraw a vote from) an approved question, exactly once per voter: SADD/SREM
-- report whether anything changed, so a retried or duplicated vote never counts twice.
-- Publishes a tiny qa.voted notice that nodes coalesce into qa.scores frames (server/qa_notifier.py).
-- KEYS: 1 question, 2 voters, 3 top, 4 restricted
-- ARGV: 1 voter id, 2 up (1) or withdraw (0), 3 events channel
local q = {}
local raw = redis.call('HGETALL', KEYS[1])
for i = 1, #raw, 2 do q[raw[i]] = raw[i + 1] end
if not q.id then return redis.error_reply('not_found: no such question') end
if q.status ~= 'approved' then
  return redis.error_reply('invalid_state: this question is not open for votes')
end
if q.author_id == ARGV[1] then
  return redis.error_reply('forbidden: you cannot vote for your own question')
end
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 1 then
  return redis.error_reply('forbidden: a moderator restricted you in the Q&A; you can still watch')
end
local changed, delta
if ARGV[2] == '1' then
  changed, delta = redis.call('SADD', KEYS[2], ARGV[1]), 1
else
  changed, delta = redis.call('SREM', KEYS[2], ARGV[1]), -1
end
local votes = tonumber(q.votes)
if changed == 1 then
  votes = redis.call('HINCRBY', KEYS[1], 'votes', delta)
  local score = tonumber(q.pinned) * 4503599627370496 + votes * 16777216 + 16777215 - tonumber(q.seq)
  redis.call('ZADD', KEYS[3], string.format('%.0f', score), q.id)
  redis.call('PUBLISH', ARGV[3], '{"e":' .. cjson.encode({type = 'qa.voted',
    data = {c = q.channel, q = q.id, v = votes}, to = {kind = 'staff'}}) .. '}')
end
return {votes, tonumber(ARGV[2])}
