-- Ask a question: idempotent per client op, refused for a muted/removed asker or past the rate
-- limit (a counter with a TTL here, so the limit holds across nodes), held for approval when the
-- channel is pre-moderated. Publishes qa.question (rooms/qa.py filters it per viewer).
-- KEYS: 1 booths, 2 restricted, 3 rate, 4 op, 5 question, 6 settings, 7 top, 8 new, 9 held,
--       10 author's questions, 11 report facts
-- ARGV: 1 channel, 2 question id, 3 author id, 4 author name, 5 text, 6 anonymous (0|1), 7 now,
--       8 questions per window, 9 window seconds, 10 op ttl, 11 has op (0|1), 12 events channel
--! include _fact.lua
local channel = ARGV[1]
if ARGV[11] == '1' then
  local existing = redis.call('GET', KEYS[4])
  if existing then return {existing, 0} end
end
if channel ~= 'stage' and redis.call('HEXISTS', KEYS[1], channel) == 0 then
  return redis.error_reply('not_found: no such booth')
end
local restricted = redis.call('HGET', KEYS[2], ARGV[3])
if restricted == 'muted' then
  return redis.error_reply('forbidden: a moderator muted you in the Q&A; you can still watch')
elseif restricted then
  return redis.error_reply('forbidden: a moderator removed you from the Q&A; you can still watch')
end
local used = tonumber(redis.call('GET', KEYS[3]) or '0')
if used >= tonumber(ARGV[8]) then
  local ttl = math.max(redis.call('TTL', KEYS[3]), 1)
  return redis.error_reply('limit_reached: at most ' .. ARGV[8] .. ' questions per ' .. ARGV[9]
    .. ' seconds; try again in ' .. ttl .. ' s')
end
local seq = tonumber(redis.call('HGET', KEYS[6], 'seq') or '0') + 1
if seq >= 16777216 then
  return redis.error_reply('limit_reached: this channel holds too many questions')
end
if redis.call('INCR', KEYS[3]) == 1 then redis.call('EXPIRE', KEYS[3], ARGV[9]) end
redis.call('HSET', KEYS[6], 'seq', seq)
local status = 'approved'
if redis.call('HGET', KEYS[6], 'premoderation') == '1' then status = 'pending' end
local q = {
  id = ARGV[2], channel = channel, text = ARGV[5], author_id = ARGV[3], author_name = ARGV[4],
  anonymous = ARGV[6], status = status, votes = '0', pinned = '0', answered = '0', answer = '',
  answered_by = '', seq = tostring(seq), created_at = ARGV[7], edited = '0', merged_into = ''
}
local flat = {}
for k, v in pairs(q) do flat[#flat + 1] = k; flat[#flat + 1] = v end
redis.call('HSET', KEYS[5], unpack(flat))
if status == 'approved' then
  redis.call('ZADD', KEYS[7], string.format('%.0f', 16777215 - seq), ARGV[2])
  redis.call('ZADD', KEYS[8], seq, ARGV[2])
else
  redis.call('ZADD', KEYS[9], seq, ARGV[2])
end
redis.call('SADD', KEYS[10], ARGV[2])
fact(KEYS[11], 'q', channel, ARGV[2], status, '0')
if ARGV[11] == '1' then redis.call('SET', KEYS[4], ARGV[2], 'EX', ARGV[10]) end
local to = {kind = 'staff'}
if channel ~= 'stage' then to = {kind = 'booth_staff', booth_id = channel} end
redis.call('PUBLISH', ARGV[12], '{"e":' .. cjson.encode(
  {type = 'qa.question', data = {q = q, was = ''}, to = to}) .. '}')
return {ARGV[2], 1}
