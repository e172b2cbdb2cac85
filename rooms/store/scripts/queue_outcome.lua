-- What becomes of a call: the worker (or staff, for a walk-in) accepts (an interview record is
-- created) or declines; staff mark a no-show; the sweeper expires an unanswered call (expire);
-- staff finish the interview (finish: its duration feeds the ETA), or the sweeper ends one that
-- ran past the longest allowed (end). Every way out frees the worker, releases their held
-- entries elsewhere, and frees the caller to call again. The sweeper's modes answer
-- {"noop":...} when the entry has moved on meanwhile.
-- KEYS and ARGV 1-5: as in queue_join.lua.
-- ARGV: 6 mode (accept|decline|no_show|expire|finish|end), 7 entry id, 8 booth,
--   9 new interview id (accept), 10 actor kind (worker|staff|system),
--   11 default longest interview seconds, 12 seconds an ended entry is kept,
--   13 durations kept, 14 ended calls kept
--! include _op.lua
--! include _fact.lua
local ttl = tonumber(ARGV[4])
local done = op_replay(KEYS[8], ttl)
if done then return done end
local now = redis_now()
local mode, id, booth, kind = ARGV[6], ARGV[7], ARGV[8], ARGV[10]

local raw = redis.call('HGET', KEYS[1], id)
if not raw then return redis.error_reply('not_found: no such call') end
local e = cjson.decode(raw)
if e.booth_id ~= booth then return redis.error_reply('not_found: no such call') end
if mode == 'accept' or mode == 'decline' then
  if kind == 'worker' and e.worker_id ~= ARGV[2] then
    return redis.error_reply('forbidden: this call is not for you')
  elseif kind == 'staff' and not e.walk_in then
    return redis.error_reply('forbidden: only the worker answers their own call')
  end
end

if mode == 'expire' then
  if e.state ~= 'called' or e.deadline > now then return cjson.encode({noop = e.state}) end
elseif mode == 'end' then
  if e.state ~= 'interviewing' then return cjson.encode({noop = e.state}) end
elseif mode == 'finish' then
  if e.state ~= 'interviewing' then
    return redis.error_reply('invalid_state: there is no interview under way to finish')
  end
elseif e.state ~= 'called' or ((mode == 'accept' or mode == 'decline') and now > e.deadline) then
  if e.state == 'no_show' or e.state == 'called' then
    return redis.error_reply('invalid_state: the call has expired')
  end
  return redis.error_reply('invalid_state: there is no call to answer (' .. e.state .. ')')
end

local detail = ''
if mode == 'accept' then
  local interview = {id = ARGV[9], entry_id = id, booth_id = booth, worker_id = e.worker_id,
    name = e.name, walk_in = e.walk_in, job_id = e.job_id, recruiter_id = e.called_by,
    started_at = now, ended_at = 0, duration = 0, ending = ''}
  redis.call('HSET', KEYS[15], ARGV[9], cjson.encode(interview))
  e.state = 'interviewing'
  e.accepted_at = now
  e.interview_id = ARGV[9]
  redis.call('ZREM', KEYS[4], 'call:' .. id)
  local longest = tonumber(redis.call('HGET', KEYS[6], 'interview_seconds') or ARGV[11])
  redis.call('ZADD', KEYS[4], now + longest, 'talk:' .. id)
  detail = ARGV[9]
else
  if mode == 'expire' or mode == 'end' then
    local due = redis.call('ZSCORE', KEYS[4], (mode == 'expire' and 'call:' or 'talk:') .. id)
    if not due or tonumber(due) > now then return cjson.encode({noop = 'not due'}) end
  end
  local ended = {decline = 'declined', no_show = 'no_show', expire = 'no_show', finish = 'done',
    ['end'] = 'done'}
  e.state = ended[mode]
  e.ended_at = now
  if mode == 'finish' or mode == 'end' then
    local interview = cjson.decode(redis.call('HGET', KEYS[15], e.interview_id))
    interview.ended_at = now
    interview.duration = now - e.accepted_at
    interview.ending = mode == 'end' and 'timeout' or 'finished'
    redis.call('HSET', KEYS[15], e.interview_id, cjson.encode(interview))
    if mode == 'finish' then
      redis.call('LPUSH', KEYS[13], interview.duration)
      redis.call('LTRIM', KEYS[13], 0, tonumber(ARGV[13]) - 1)
    end
    detail = string.format('%s %.0fs', e.interview_id, interview.duration)
  end
  redis.call('ZREM', KEYS[4], 'call:' .. id, 'talk:' .. id)
  redis.call('ZADD', KEYS[4], now + tonumber(ARGV[12]), 'gc:' .. id)
  redis.call('ZREM', KEYS[11], id)
  redis.call('LPUSH', KEYS[12], id)
  redis.call('LTRIM', KEYS[12], 0, tonumber(ARGV[14]) - 1)
  for _, who in ipairs({e.worker_id, e.called_by}) do
    if redis.call('HGET', KEYS[3], who) == id then redis.call('HDEL', KEYS[3], who) end
  end
end
redis.call('HSET', KEYS[1], id, cjson.encode(e))

local v = redis.call('HINCRBY', KEYS[6], 'v', 1)
local mine = cjson.decode(redis.call('HGET', KEYS[2], e.worker_id) or '{}')
if e.ended_at > 0 then
  mine[booth] = nil
  for other_booth, other in pairs(mine) do
    local o = cjson.decode(redis.call('HGET', KEYS[1], other))
    if o.state == 'held' then
      o.state = 'waiting'
      redis.call('HSET', KEYS[1], other, cjson.encode(o))
      redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.entry', data = o,
        to = {kind = 'user', user_id = o.worker_id}}}))
      redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.changed',
        data = {booth_id = other_booth, v = v}, to = {kind = 'staff'}}}))
    end
  end
  if next(mine) then
    redis.call('HSET', KEYS[2], e.worker_id, cjson.encode(mine))
    if not e.walk_in then
      -- a worker nobody vouches for now starts their grace period from here
      redis.call('ZADD', KEYS[5], 'NX', now, e.worker_id)
    end
  else
    redis.call('HDEL', KEYS[2], e.worker_id)
  end
end

redis.call('XADD', KEYS[7], 'MAXLEN', '~', ARGV[5], '*', 'at', now, 'actor', ARGV[2],
  'role', ARGV[3], 'action', mode, 'booth', booth, 'entry', id, 'worker', e.worker_id,
  'detail', detail)
fact(KEYS[18], 'end', booth, id, mode, e.interview_id, e.called_by)
redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.changed',
  data = {booth_id = booth, v = v}, to = {kind = 'staff'}}}))
if not e.walk_in then
  redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.entry', data = e,
    to = {kind = 'user', user_id = e.worker_id}}}))
end
if (mode == 'finish' or mode == 'end') and e.called_by then
  -- the caller's interview room learns that the interview ended, wherever it was ended from
  redis.call('PUBLISH', ARGV[1], cjson.encode({e = {type = 'queue.entry', data = e,
    to = {kind = 'user', user_id = e.called_by}}}))
end
local out = cjson.encode(e)
return op_remember(KEYS[8], ttl, out)
