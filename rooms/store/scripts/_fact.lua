-- Included by the scripts that record report facts (rooms/reports/facts.py lists the kinds and
-- their fields): one entry of the fair's fact stream, `kind` -> its fields joined by tabs (ids
-- never hold a tab), written in the same step as the change it records.
local function fact(key, kind, ...)
  redis.call('XADD', key, '*', kind, table.concat({...}, '\t'))
end
