-- Whichever node notices first closes the open periods of a node whose lease ran out, at the
-- moment it ran out, and forgets the node. Nothing happens if the node renewed meanwhile.
-- KEYS: 1 report facts, 2 period leases, 3 that node's open periods
-- ARGV: 1 node id
--! include _fact.lua
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local ended = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not ended or tonumber(ended) >= now then return 0 end
local periods = redis.call('SMEMBERS', KEYS[3])
for _, p in ipairs(periods) do
  fact(KEYS[1], 'close', p, ended)
end
redis.call('DEL', KEYS[3])
redis.call('ZREM', KEYS[2], ARGV[1])
return #periods
