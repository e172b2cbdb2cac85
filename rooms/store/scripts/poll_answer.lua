-- An attendee answers a poll, once: HSETNX keeps the first answer, so 200 answers from 100 people,
-- on any nodes, count 100. Refused after the deadline (Redis time) or once closed, for a person
-- muted or removed in the Q&A, and past the rate limit (a counter with a TTL, across nodes).
-- Publishes a tiny poll.counted notice that nodes coalesce into poll.results frames.
-- KEYS: 1 poll, 2 answers, 3 counts, 4 Q&A restricted, 5 rate, 6 report facts
-- ARGV: 1 participant id, 2 option index, 3 answers per window, 4 window seconds, 5 events channel
--! include _fact.lua
--! include _op.lua
local raw = redis.call('HMGET', KEYS[1], 'id', 'channel', 'state', 'closes_at', 'n')
if not raw[1] then return redis.error_reply('not_found: no such poll') end
local closes_at = tonumber(raw[4])
if raw[3] ~= 'open' or (closes_at > 0 and redis_now() > closes_at) then
  return redis.error_reply('poll_closed: this poll no longer takes answers')
end
local option = tonumber(ARGV[2])
if option < 0 or option >= tonumber(raw[5]) then
  return redis.error_reply('invalid_input: no such option')
end
if redis.call('HEXISTS', KEYS[4], ARGV[1]) == 1 then
  return redis.error_reply('forbidden: a moderator restricted you in the Q&A; you can still watch')
end
local first = redis.call('HGET', KEYS[2], ARGV[1])
if first then
  return {tonumber(first), 0, tonumber(redis.call('HGET', KEYS[1], 'total'))}
end
local used = redis.call('INCR', KEYS[5])
if used == 1 then redis.call('EXPIRE', KEYS[5], ARGV[4]) end
if used > tonumber(ARGV[3]) then
  return redis.error_reply('limit_reached: at most ' .. ARGV[3] .. ' answers per ' .. ARGV[4]
    .. ' seconds')
end
redis.call('HSET', KEYS[2], ARGV[1], option)
local n = redis.call('HINCRBY', KEYS[3], option, 1)
local total = redis.call('HINCRBY', KEYS[1], 'total', 1)
fact(KEYS[6], 'pans', raw[2], raw[1], ARGV[1], option)
redis.call('PUBLISH', ARGV[5], '{"e":' .. cjson.encode({type = 'poll.counted',
  data = {c = raw[2], p = raw[1], o = option, n = n, t = total}, to = {kind = 'staff'}}) .. '}')
return {option, 1, total}
