-- A chat message in an interview: appended (the list is capped) and sent to both sides; a retried
-- op returns the message it first sent.
-- KEYS: 1 chat list, 2 op
-- ARGV: 1 message JSON, 2 most messages kept, 3 channel, 4 event JSON for one side,
--       5 event JSON for the other side ('' for a walk-in, who has no screen), 6 op ttl
--! include _op.lua
local ttl = tonumber(ARGV[6])
local done = op_replay(KEYS[2], ttl)
if done then return done end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PUBLISH', ARGV[3], '{"e":' .. ARGV[4] .. '}')
if ARGV[5] ~= '' then redis.call('PUBLISH', ARGV[3], '{"e":' .. ARGV[5] .. '}') end
return op_remember(KEYS[2], ttl, ARGV[1])
