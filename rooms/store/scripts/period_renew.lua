-- A node vouches for its open periods in a fair a while longer. Returns 1 when its lease there had
-- already run out (it was stalled, and another node may have closed its periods): the node then
-- opens again those it still holds.
-- KEYS: 1 period leases
-- ARGV: 1 node id, 2 lease seconds
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local was = redis.call('ZSCORE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[1], 'GT', now + tonumber(ARGV[2]), ARGV[1])
if not was or tonumber(was) < now then return 1 end
return 0
