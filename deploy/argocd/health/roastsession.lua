-- RoastSession: Healthy once Completed (Ready True); Progressing while it runs (Reconciling True, or any
-- phase from Pending to Cooling) and until the operator has observed the current spec; Degraded when it
-- ended Aborted or Failed, or Stalled is True.
local status = obj.status
if status == nil then
  return health("Progressing", "Waiting for the operator to report the session's status")
end
local verdict = kstatusHealth(obj, false)
if verdict ~= nil then
  return verdict
end

local ended = { Aborted = true, Failed = true }
local ready = condition(obj, "Ready")
if isTrue(ready) then
  return health("Healthy", describe(ready))
end
local reconciling = condition(obj, "Reconciling")
if isTrue(reconciling) then
  return health("Progressing", describe(reconciling))
end
-- Ready's reason is the phase, so it tells a session that ended badly from one still running.
if isFalse(ready) and ended[ready.reason] then
  return health("Degraded", describe(ready))
end

-- Phase is the fallback when the conditions do not decide.
local phase = status.phase
if phase == "Completed" then
  return health("Healthy", "Phase Completed")
end
if ended[phase] then
  return health("Degraded", "Phase " .. phase)
end
if ready ~= nil then
  return health("Progressing", describe(ready))
end
return health("Progressing", "Phase " .. tostring(phase or "Pending"))
