-- A live booth stream is paused (the presenter is interviewing) or resumed, only for the stream
-- session the caller holds; the lobby revision bumped and the event published.
-- KEYS: 1 streams hash, 2 rev
-- ARGV: 1 booth id, 2 session, 3 pause reason code ('' resumes), 4 expected return (epoch s, 0:
--       unknown), 5 channel, 6 event JSON
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local state = cjson.decode(current)
if state['session'] ~= ARGV[2] then return 0 end
if (state['paused'] or '') == ARGV[3] and tonumber(state['back_at'] or 0) == tonumber(ARGV[4]) then
  return 0
end
state['paused'] = ARGV[3]
state['back_at'] = tonumber(ARGV[4])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
local rev = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[5], '{"rev":' .. rev .. ',"e":' .. ARGV[6] .. '}')
return 1
