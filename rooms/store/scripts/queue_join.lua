-- A worker joins a booth's line (mode join), or staff add a walk-in (mode walk_in): checks the
-- booth, the job, the line's state and cap and the worker's limit, then appends the entry.
-- A worker who is being called or interviewed elsewhere joins `held`. A worker's join carries
-- their answer to "may this booth read your dossier?", recorded here with the join (or not at all).
-- KEYS (every queue script): 1 entries, 2 index, 3 busy, 4 deadlines, 5 seen, 6 settings,
--   7 audit, 8 op, 9 line, 10 line state, 11 active, 12 recent, 13 durations, 14 servers,
--   15 interviews, 16 booths, 17 jobs, 18 report facts (docs/reports.md); here (mode join
--   only): 19 the worker's dossier shares, 20 the booths they declined
-- ARGV (every queue script): 1 channel, 2 actor id, 3 actor role, 4 op ttl (0: no op to keep),
--   5 audit max length; here: 6 mode, 7 booth, 8 new entry id, 9 worker id, 10 name,
--   11 contact, 12 job id or '', 13 presence lease seconds, 14 default lines per worker;
--   (mode join only) 15 'share' | 'decline' | '' (no answer: an earlier one stands)
--! include _op.lua
--! include _fact.lua
--! include _consent.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[8], ttl)
if done then return done end
local now = redis_now()
local mode, booth, id, worker, job = ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[12]

if redis.call('HEXISTS', KEYS[16], booth) == 0 then
  return redis.error_reply('not_found: no such booth')
end
if job ~= '' then
  local raw = redis.call('HGET', KEYS[17], job)
  if not raw or cjson.decode(raw).booth_id ~= booth then
    return redis.error_reply('not_found: no such job at this booth')
  end
end
if (redis.call('HGET', KEYS[10], 'state') or 'open') == 'closed' then
  return redis.error_reply('invalid_state: this line is closed')
end
local cap = tonumber(redis.call('HGET', KEYS[10], 'cap') or '')
if cap and redis.call('ZCARD', KEYS[9]) >= cap then
  return redis.error_reply('limit_reached: this line is full')
end
local mine = cjson.decode(redis.call('HGET', KEYS[2], worker) or '{}')
if mine[booth] then
  return redis.error_reply('conflict: you are already in this line')
end
if mode == 'join' then
  local limit = tonumber(redis.call('HGET', KEYS[6], 'lines_per_worker') or ARGV[14])
  local count = 0
  for _ in pairs(mine) do count = count + 1 end
  if count >= limit then
    return redis.error_reply('limit_reached: you are already in ' .. count ..
      ' lines, the most this fair allows; leave one first')
  end
end

local state = 'waiting'
if redis.call('HEXISTS', KEYS[3], worker) == 1 then state = 'held' end
local last = redis.call('ZRANGE', KEYS[9], -1, -1, 'WITHSCORES')
local score = 1
if last[2] then score = math.floor(tonumber(last[2])) + 1 end
local e = {id = id, booth_id = booth, worker_id = worker, name = ARGV[10], contact = ARGV[11],
  walk_in = mode == 'walk_in', job_id = job, state = state, joined_at = now, called_at = 0,
  called_by = '', deadline = 0, accepted_at = 0, interview_id = '', ended_at = 0}
redis.call('ZADD', KEYS[9], score, id)
redis.call('HSET', KEYS[1], id, cjson.encode(e))
mine[booth] = id
redis.call('HSET', KEYS[2], worker, cjson.encode(mine))
if mode == 'join' then
  redis.call('ZADD', KEYS[5], 'GT', now + tonumber(ARGV[13]), worker)
  consent_record(KEYS[19], KEYS[20], ARGV[1], worker, booth, ARGV[15])
end

redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', ARGV[2],
  'role', ARGV[3], 'action', mode, 'booth', booth, 'entry', id, 'worker', worker, 'detail', job)
if mode == 'walk_in' then
  -- the same person added at two booths is one on-site attendee: known by their phone's digits
  local digits = string.gsub(ARGV[11], '%D', '')
  digits = string.gsub(digits, '^84', '0')
  fact(KEYS[18], 'join', booth, id, worker, string.sub(redis.sha1hex(digits), 1, 16))
else
  fact(KEYS[18], 'join', booth, id, worker, '')
end
local v = redis.call('HINCRBY', KEYS[6], 'v', 1)
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.changed',
  data = {booth_id = booth, v = v}, to = {kind = 'staff'}}}))

e.position = redis.call('ZRANK', KEYS[9], id) + 1
e.size = redis.call('ZCARD', KEYS[9])
return op_remember(KEYS[8], ttl, cjson.encode(e))
