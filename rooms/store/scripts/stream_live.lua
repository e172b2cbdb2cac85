-- A booth (or the fair's main stage, `stage`) goes live: its stream state is stored, the lobby revision bumped, the event published.
-- KEYS: 1 fair, 2 streams hash, 3 rev, 4 booths hash, 5 report facts
-- ARGV: 1 booth id, 2 StreamState JSON, 3 channel, 4 event JSON
--! include _fact.lua
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('not_found: no such fair')
end
if ARGV[1] ~= 'stage' and redis.call('HEXISTS', KEYS[4], ARGV[1]) == 0 then
  return redis.error_reply('not_found: no such booth')
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
fact(KEYS[5], 'live', ARGV[1])
local rev = redis.call('INCR', KEYS[3])
redis.call('PUBLISH', ARGV[3], '{"rev":' .. rev .. ',"e":' .. ARGV[4] .. '}')
return rev
