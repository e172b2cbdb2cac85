-- A closed quiz's winners, drawn by the node from a seed (rooms/polls.py `draw`), are recorded
-- once: a second draw returns the first one's seed, so the announced winners never change.
-- The fact names the seed and the count of correct answers: anyone can redo the draw.
-- KEYS: 1 poll, 2 counts, 3 report facts
-- ARGV: 1 seed, 2 winners (ids joined by ','), 3 winners JSON (ids and names), 4 correct answers
--       counted, 5 events channel
--! include _fact.lua
local state = redis.call('HMGET', KEYS[1], 'id', 'kind', 'state', 'seed')
if not state[1] then return redis.error_reply('not_found: no such poll') end
if state[2] ~= 'quiz' then return redis.error_reply('invalid_input: only a quiz has winners') end
if state[3] ~= 'closed' then return redis.error_reply('invalid_state: close the quiz first') end
if state[4] ~= '' then return state[4] end
redis.call('HSET', KEYS[1], 'seed', ARGV[1], 'winners', ARGV[3], 'candidates', ARGV[4])
local p = {}
local raw = redis.call('HGETALL', KEYS[1])
for i = 1, #raw, 2 do p[raw[i]] = raw[i + 1] end
fact(KEYS[3], 'draw', p.channel, p.id, ARGV[1], ARGV[4], ARGV[2])
local counts = {}
raw = redis.call('HGETALL', KEYS[2])
for i = 1, #raw, 2 do counts[raw[i]] = tonumber(raw[i + 1]) end
redis.call('PUBLISH', ARGV[5], '{"e":' .. cjson.encode(
  {type = 'poll.changed', data = {p = p, counts = counts}, to = {kind = 'staff'}}) .. '}')
return ARGV[1]
