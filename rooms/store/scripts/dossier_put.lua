-- Create or replace (compare-and-set) a worker's dossier.
-- KEYS: 1 fair, 2 dossiers hash
-- ARGV: 1 worker id, 2 new JSON, 3 expected current JSON ('' when there was none)
if redis.call('EXISTS', KEYS[1]) == 0 then
  return redis.error_reply('not_found: no such fair')
end
local current = redis.call('HGET', KEYS[2], ARGV[1]) or ''
if current ~= ARGV[3] then
  return redis.error_reply('stale: dossier changed meanwhile')
end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1
