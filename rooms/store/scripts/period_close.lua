-- A node closes one of its periods; closing one that is closed already (or that the reaper
-- closed) does nothing.
-- KEYS: 1 report facts, 2 the node's open periods
-- ARGV: 1 period id
--! include _fact.lua
if redis.call('SREM', KEYS[2], ARGV[1]) == 0 then return 0 end
fact(KEYS[1], 'close', ARGV[1])
return 1
