-- A chat message in an interview: appended (the list is capped) and sent to both sides.
-- KEYS: 1 chat list
-- ARGV: 1 message JSON, 2 most messages kept, 3 channel, 4 event JSON for one side,
--       5 event JSON for the other side ('' for a walk-in, who has no screen)
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PUBLISH', ARGV[3], '{"e":' .. ARGV[4] .. '}')
if ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[3], '{"e":' .. ARGV[5] .. '}') end
return redis.call('LLEN', KEYS[1])
