-- A node vouches that these workers are connected to it: each one's presence lease is pushed to
-- (Redis) now + lease, never pulled back (GT), whichever node wrote it last.
-- KEYS: 1 seen
-- ARGV: 1 lease seconds, 2.. worker ids
local t = redis.call('TIME')
local until_ = tonumber(t[1]) + tonumber(t[2]) / 1e6 + tonumber(ARGV[1])
local args = {}
for i = 2, #ARGV do
  args[#args + 1] = until_
  args[#args + 1] = ARGV[i]
  if #args >= 1000 or i == #ARGV then
    redis.call('ZADD', KEYS[1], 'GT', unpack(args))
    args = {}
  end
end
return #ARGV - 1
