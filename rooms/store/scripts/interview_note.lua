-- The recruiter's notes and outcome of an interview, or more time for it (compare-and-set on
-- the notes record), announced to whom it concerns.
-- KEYS: 1 notes hash
-- ARGV: 1 interview id, 2 new JSON, 3 expected JSON ('' when none), 4 channel,
--       5.. event JSONs to publish
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[3] then return redis.error_reply('stale: notes changed meanwhile') end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
for i = 5, #ARGV do
  if ARGV[i] ~= '' then redis.call('PUBLISH', ARGV[4], '{"e":' .. ARGV[i] .. '}') end
end
return 1
