-- Included (`--! include _op.lua`) by the scripts a client operation drives (queue, slots): a
-- retried op gets its first result back instead of acting twice, and times are Redis's own clock,
-- so every node agrees on deadlines.

-- The first result of this op, if it already ran (false otherwise).
local function op_replay(op_key, ttl)
  if ttl > 0 then return redis.call('GET', op_key) end
  return false
end

-- Keep `result` as this op's answer to retries, and return it.
local function op_remember(op_key, ttl, result)
  if ttl > 0 then redis.call('SET', op_key, result, 'EX', ttl) end
  return result
end

local function redis_now()
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1e6
end
