-- Create or replace (compare-and-set) a fair record and keep the fair index in step.
-- KEYS: 1 fair index, 2 fair, 3 rev
-- ARGV: 1 fair id, 2 new JSON, 3 mode (create|replace), 4 created_at, 5 expected JSON,
--       6 channel, 7 event JSON ('' for none)
local current = redis.call('GET', KEYS[2])
if ARGV[3] == 'create' then
  if current then return redis.error_reply('conflict: fair exists') end
  redis.call('ZADD', KEYS[1], ARGV[4], ARGV[1])
elseif not current then
  return redis.error_reply('not_found: no such fair')
elseif current ~= ARGV[5] then
  return redis.error_reply('stale: fair changed meanwhile')
end
redis.call('SET', KEYS[2], ARGV[2])
local rev = redis.call('INCR', KEYS[3])
if ARGV[7] ~= '' then
  redis.call('PUBLISH', ARGV[6], '{"rev":' .. rev .. ',"e":' .. ARGV[7] .. '}')
end
return rev
