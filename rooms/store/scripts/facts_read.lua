-- A chunk of the fair's facts as one string, a line per fact (entry id, kind, its fields; by tabs):
-- a report reads 100,000 facts in a few replies instead of half a million small ones.
-- KEYS: 1 report facts
-- ARGV: 1 where to start ('-', or '(' and the last id read), 2 most facts
local lines, last = {}, ''
for _, entry in ipairs(redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', ARGV[2])) do
  local fields = entry[2]
  lines[#lines + 1] = entry[1] .. '\t' .. fields[1] .. '\t' .. fields[2]
  last = entry[1]
end
return {#lines, last, table.concat(lines, '\n')}
