-- A booth goes offline, only if its stream is still the one the caller means (compare-and-delete:
-- a stale "publisher left" must not end the stream the recruiter has since restarted).
-- KEYS: 1 streams hash, 2 rev, 3 report facts
-- ARGV: 1 booth id, 2 expected session ('' for any: a moderator's stop), 3 channel, 4 event JSON
--! include _fact.lua
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
if ARGV[2] ~= '' and cjson.decode(current)['session'] ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
fact(KEYS[3], 'off', ARGV[1])
local rev = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[3], '{"rev":' .. rev .. ',"e":' .. ARGV[4] .. '}')
return 1
