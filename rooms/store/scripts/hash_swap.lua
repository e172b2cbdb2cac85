-- Set a hash field only if it still holds what the caller read ('' for absent): a claim that
-- two nodes racing for the same thing cannot both win.
-- KEYS: 1 hash
-- ARGV: 1 field, 2 expected value ('' when absent), 3 new value
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[3])
return 1
