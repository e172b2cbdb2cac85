-- The recruiter's notes and outcome of an interview, or more time for it (compare-and-set on
-- the notes record), announced to whom it concerns. Returns the notes as stored; a retried op
-- returns them as its first run left them.
-- KEYS: 1 notes hash, 2 op, 3 report facts
-- ARGV: 1 interview id, 2 new JSON, 3 expected JSON ('' when none), 4 channel, 5 op ttl
--       (0: no op), 6 the interview's booth when its outcome changes ('' otherwise), 7 the new
--       outcome ('' for none), 8.. event JSONs to publish
--! include _op.lua
--! include _fact.lua
local ttl = tonumber(ARGV[5])
local done = op_replay(KEYS[2], ttl)
if done then return done end
local current = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if current ~= ARGV[3] then return redis.error_reply('stale: notes changed meanwhile') end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
if ARGV[6] ~= '' then
  fact(KEYS[3], 'outcome', ARGV[6], ARGV[1], ARGV[7])
end
for i = 8, #ARGV do
  if ARGV[i] ~= '' then redis.call('PUBLISH', ARGV[4], '{"e":' .. ARGV[i] .. '}') end
end
return op_remember(KEYS[2], ttl, ARGV[2])
