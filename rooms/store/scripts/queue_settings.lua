-- A moderator changes the fair's queue settings: lines per worker, seconds to answer a call,
-- grace seconds for a worker who dropped, longest interview. '' leaves a setting as it is.
-- KEYS and ARGV 1-5: as in queue_join.lua.
-- ARGV: 6 lines_per_worker, 7 call_seconds, 8 grace_seconds, 9 interview_seconds
local ttl = tonumber(ARGV[4])
if ttl > 0 then
  local done = redis.call('GET', KEYS[8])
  if done then return done end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
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
if ttl > 0 then redis.call('SET', KEYS[8], out, 'EX', ttl) end
return out
