-- A host opens a poll or a quiz in a channel (a booth or the stage): idempotent per client op,
-- capped per channel; a quiz's deadline is Redis time plus its seconds, so every node agrees.
-- Publishes poll.changed (server/poll_notifier.py renders it per viewer: a quiz's correct option
-- is for staff until it closes).
-- KEYS: 1 booths, 2 poll, 3 channel's polls, 4 op, 5 report facts
-- ARGV: 1 channel, 2 poll id, 3 kind (poll|quiz), 4 text, 5 options JSON, 6 option count,
--       7 correct option ('' for a poll), 8 seconds to the deadline (0: none), 9 host id,
--       10 host name, 11 op ttl, 12 has op (0|1), 13 polls per channel, 14 events channel
--! include _fact.lua
--! include _op.lua
local channel = ARGV[1]
local replay = op_replay(KEYS[4], ARGV[12] == '1' and tonumber(ARGV[11]) or 0)
if replay then return replay end
if channel ~= 'stage' and redis.call('HEXISTS', KEYS[1], channel) == 0 then
  return redis.error_reply('not_found: no such booth')
end
if redis.call('ZCARD', KEYS[3]) >= tonumber(ARGV[13]) then
  return redis.error_reply('limit_reached: this channel holds too many polls')
end
local now = redis_now()
local closes_at = 0
if tonumber(ARGV[8]) > 0 then closes_at = now + tonumber(ARGV[8]) end
local p = {
  id = ARGV[2], channel = channel, kind = ARGV[3], text = ARGV[4], options = ARGV[5],
  n = ARGV[6], correct = ARGV[7], state = 'open', created_at = string.format('%.3f', now),
  closes_at = string.format('%.3f', closes_at), host_id = ARGV[9], host_name = ARGV[10],
  total = '0', seed = '', winners = '', candidates = '0'
}
local flat = {}
for k, v in pairs(p) do flat[#flat + 1] = k; flat[#flat + 1] = v end
redis.call('HSET', KEYS[2], unpack(flat))
redis.call('ZADD', KEYS[3], now, ARGV[2])
fact(KEYS[5], 'poll', channel, ARGV[2], ARGV[3], ARGV[6])
redis.call('PUBLISH', ARGV[14], '{"e":' .. cjson.encode(
  {type = 'poll.changed', data = {p = p, counts = {}}, to = {kind = 'staff'}}) .. '}')
return op_remember(KEYS[4], ARGV[12] == '1' and tonumber(ARGV[11]) or 0, ARGV[2])
