-- What is due now in one fair's slots (Redis time, so every node agrees): `start:<slot>` and
-- `remind:<slot>` items. Read only: the scripts that act remove the item, once.
-- KEYS: 1 slots due
-- ARGV: 1 most items per run
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, ARGV[1])
