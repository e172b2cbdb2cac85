-- A moderator changes the fair's queue settings: lines per worker, seconds to answer a call,
-- grace seconds for a worker who dropped, longest interview. '' leaves a setting as it is.
-- KEYS and ARGV 1-5: as in queue_join.lua.
-- ARGV: 6 lines_per_worker, 7 call_seconds, 8 grace_seconds, 9 interview_seconds
--! include _op.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[8], ttl)
if done then return done end
local now = redis_now()
local names = {'lines_per_worker', 'call_seconds', 'grace_seconds', 'interview_seconds'}
local changed = {}
for i, name in ipairs(names) do
  local value = ARGV[5 + i]
  if value ~= '' then
    redis.call('HSET', KEYS[6], name, value)
    changed[#changed + 1] = name .. '=' .. value
  end
end
redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', ARGV[2],
  'role', ARGV[3], 'action', 'settings', 'booth', '', 'entry', '', 'worker', '',
  'detail', table.concat(changed, ' '))
local out = cjson.encode({ok = true})
return op_remember(KEYS[8], ttl, out)
