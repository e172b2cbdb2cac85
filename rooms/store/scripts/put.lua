-- Create, replace (compare-and-set) or delete one record in a fair's hash, bump the fair's
-- revision and publish the event, all at once: a change is never stored without its notice.
-- KEYS: 1 fair, 2 hash, 3 rev, 4 parent hash (checked only when ARGV[4] ~= ''),
--       5 (optional) report facts
-- ARGV: 1 field, 2 new JSON, 3 mode (create|replace|delete), 4 parent field,
--       5 expected current JSON (replace, delete), 6 channel, 7 event JSON ('' for none),
--       8.. the fact's kind and fields (with KEYS[5])
--! include _fact.lua
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('not_found: no such fair')
end
if ARGV[4] ~= '' and redis.call('HEXISTS', KEYS[4], ARGV[4]) == 0 then
  return redis.error_reply('not_found: no such parent record')
end
local current = redis.call('HGET', KEYS[2], ARGV[1])
local mode = ARGV[3]
if mode == 'create' then
  if current then return redis.error_reply('conflict: record exists') end
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
elseif not current then
  return redis.error_reply('not_found: no such record')
elseif current ~= ARGV[5] then
  return redis.error_reply('stale: record changed meanwhile')
elseif mode == 'replace' then
  redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
else
  redis.call('HDEL', KEYS[2], ARGV[1])
end
if KEYS[5] then fact(KEYS[5], unpack(ARGV, 8)) end
local rev = redis.call('INCR', KEYS[3])
if ARGV[7] ~= '' then
  redis.call('PUBLISH', ARGV[6], '{"rev":' .. rev .. ',"e":' .. ARGV[7] .. '}')
end
return rev
