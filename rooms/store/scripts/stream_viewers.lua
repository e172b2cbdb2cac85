-- The holding node reports how many watch a booth; only for the stream session it holds.
-- KEYS: 1 streams hash
-- ARGV: 1 booth id, 2 session, 3 viewer count, 4 channel, 5 event JSON
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local state = cjson.decode(current)
if state['session'] ~= ARGV[2] then return 0 end
state['viewers'] = tonumber(ARGV[3])
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
redis.call('PUBLISH', ARGV[4], '{"e":' .. ARGV[5] .. '}')
return 1
