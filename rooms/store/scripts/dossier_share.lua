-- A worker's answer on the dossier page, for a booth that exists: let it read the dossier and
-- CV, or withdraw that (which also counts as an answer: the booth's pages do not ask again).
-- KEYS: 1 booths hash, 2 the worker's shares set, 3 the worker's declined set
-- ARGV: 1 channel, 2 worker id, 3 booth id, 4 'share' | 'decline'
--! include _consent.lua
if redis.call('HEXISTS', KEYS[1], ARGV[3]) == 0 then
  return redis.error_reply('not_found: no such booth')
end
consent_record(KEYS[2], KEYS[3], ARGV[1], ARGV[2], ARGV[3], ARGV[4])
return 1
