-- The main stage's host names the booth whose recruiter may present next (or nobody: '').
-- KEYS: 1 stage hash, 2 booths hash, 3 rev
-- ARGV: 1 booth id or '', 2 channel, 3 event JSON
if ARGV[1] ~= '' and redis.call('HEXISTS', KEYS[2], ARGV[1]) == 0 then
  return redis.error_reply('not_found: no such booth')
end
if (redis.call('HGET', KEYS[1], 'guest') or '') == ARGV[1] then return 0 end
if ARGV[1] == '' then
  redis.call('HDEL', KEYS[1], 'guest')
else
  redis.call('HSET', KEYS[1], 'guest', ARGV[1])
end
local rev = redis.call('INCR', KEYS[3])
redis.call('PUBLISH', ARGV[2], '{"rev":' .. rev .. ',"e":' .. ARGV[3] .. '}')
return 1
