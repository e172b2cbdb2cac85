-- Included (`--! include _consent.lua`) by the scripts that take a worker's answer to "may this
-- booth read your dossier?" (queue_join, slot_book, dossier_share): one answer per (worker,
-- booth), kept as membership of exactly one of two sets, and announced when it changes.

-- `choice`: 'share' (the booth may read the dossier and CV), 'decline' (it may not, and the page
-- does not ask again), or '' (no answer given: what was chosen before stands).
local function consent_record(shares_key, declined_key, channel, worker, booth, choice)
  local changed = 0
  if choice == 'share' then
    changed = redis.call('SADD', shares_key, booth) + redis.call('SREM', declined_key, booth)
  elseif choice == 'decline' then
    changed = redis.call('SREM', shares_key, booth) + redis.call('SADD', declined_key, booth)
  end
  if changed == 0 then return end
  local data = {worker_id = worker, booth_id = booth, shared = choice == 'share'}
  redis.call('PUBLISH', channel, cjson.encode({e = {type = 'dossier.shares', data = data,
    to = {kind = 'user', user_id = worker}}}))
  redis.call('PUBLISH', channel, cjson.encode({e = {type = 'dossier.shares', data = data,
    to = {kind = 'booth_staff', booth_id = booth}}}))
end
