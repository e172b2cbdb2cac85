-- A node opens a connection or watching period (docs/reports.md): the period joins the node's
-- open periods in the fair, the node's lease there moves forward, and the fact is recorded.
-- Opening a period that is already open does nothing.
-- KEYS: 1 report facts, 2 the node's open periods, 3 period leases
-- ARGV: 1 node id, 2 lease seconds, 3 period id, 4 kind (c: connected, v: watching a booth),
--       5 participant id, 6 role, 7 booth ('' for none)
--! include _fact.lua
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
redis.call('ZADD', KEYS[3], 'GT', now + tonumber(ARGV[2]), ARGV[1])
if redis.call('SADD', KEYS[2], ARGV[3]) == 0 then return 0 end
fact(KEYS[1], 'open', ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7])
return 1
