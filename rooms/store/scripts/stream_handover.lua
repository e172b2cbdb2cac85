-- A live stream changed presenter without a gap (server/rtc/source.py `hand_over`): the new
-- publisher and, on the stage, the booth now presenting are stored, for the stream session the
-- caller holds; the lobby revision bumped and the event published.
-- KEYS: 1 streams hash, 2 rev
-- ARGV: 1 stream id (booth id or 'stage'), 2 session, 3 publisher id, 4 presenting booth id (''
--       for the stage's own speakers), 5 channel, 6 event JSON
local current = redis.call('HGET', KEYS[1], ARGV[1])
if not current then return 0 end
local state = cjson.decode(current)
if state['session'] ~= ARGV[2] then return 0 end
state['publisher_id'] = ARGV[3]
state['presenting'] = ARGV[4]
redis.call('HSET', KEYS[1], ARGV[1], cjson.encode(state))
local rev = redis.call('INCR', KEYS[2])
redis.call('PUBLISH', ARGV[5], '{"rev":' .. rev .. ',"e":' .. ARGV[6] .. '}')
return 1
