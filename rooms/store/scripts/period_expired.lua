-- The nodes whose lease in a fair has run out (they died, or stalled), with when it ran out.
-- KEYS: 1 period leases
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now, 'WITHSCORES')
