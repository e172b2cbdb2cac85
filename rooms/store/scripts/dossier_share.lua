-- Share a dossier with a booth that exists.
-- KEYS: 1 booths hash, 2 the worker's shares set
-- ARGV: 1 booth id
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 0 then
  return redis.error_reply('not_found: no such booth')
end
return redis.call('SADD', KEYS[2], ARGV[1])
