-- Roaster: Healthy while Ready is True; Progressing until the operator has observed the current spec
-- (status.observedGeneration), while Reconciling is True, or while Ready is Unknown or not written yet;
-- Degraded when Stalled is True, Ready is False (Disconnected, Faulted, Latched, AdmissionGuardNotLive,
-- NoLink), an emergency-stop latch is set, the edge agent holds a latch (status.edgeLatches) or reports an
-- interlock tripped (InterlocksClear False), or the circuit breaker lowered the autonomy level. The
-- presence rule lowering L4/L5 while nobody is at the roaster is how the levels work, not a fault:
-- Healthy, and the message says so.
local status = obj.status
if status == nil then
  return health("Progressing", "Waiting for the operator to report the roaster's status")
end
local verdict = kstatusHealth(obj, true)
if verdict ~= nil then
  return verdict
end
local reconciling = condition(obj, "Reconciling")
if isTrue(reconciling) then
  return health("Progressing", describe(reconciling))
end

-- What needs a person, in the order they would deal with it.
local problems = {}
local ready = condition(obj, "Ready")
if isFalse(ready) then
  table.insert(problems, describe(ready))
elseif ready == nil and (status.phase == nil or status.phase == "Disconnected" or status.phase == "Fault") then
  -- Phase is the fallback when Ready has not been written.
  table.insert(problems, "Phase " .. tostring(status.phase or "Disconnected") .. ": the roaster cannot take commands")
end
local latched = condition(obj, "EmergencyStopLatched")
if status.latch ~= nil then
  local latch = status.latch
  local text = "Emergency stop latched: latch " .. tostring(latch.id) .. ", cause " .. tostring(latch.cause)
  if latch.message ~= nil and latch.message ~= "" then
    text = text .. " (" .. latch.message .. ")"
  end
  if latch.since ~= nil then
    text = text .. ", since " .. latch.since
  end
  table.insert(problems, text .. "; clear it with a ResetLatch proposal naming " .. tostring(latch.id))
elseif isTrue(latched) then
  table.insert(problems, describe(latched))
end
-- The edge agent's own latches (the operator's latch, re-pushed to the edge, is described above).
local edgeLatched = false
if status.edgeLatches ~= nil then
  for _, latch in ipairs(status.edgeLatches) do
    if latch.cause ~= "operator" or status.latch == nil then
      edgeLatched = true
      local text = "Edge latch " .. tostring(latch.id) .. ", cause " .. tostring(latch.cause)
      if latch.message ~= nil and latch.message ~= "" then
        text = text .. " (" .. latch.message .. ")"
      end
      if latch.since ~= nil then
        text = text .. ", since " .. latch.since
      end
      if latch.conditionActive then
        text = text .. ", its condition still active"
      end
      table.insert(problems, text)
    end
  end
end
local interlocks = condition(obj, "InterlocksClear")
if isFalse(interlocks) and not edgeLatched then
  table.insert(problems, describe(interlocks))
end
local degraded = condition(obj, "AutonomyDegraded")
local noHuman = isTrue(degraded) and degraded.reason == "NoHumanPresent"
if isTrue(degraded) and not noHuman then
  table.insert(problems, describe(degraded))
end
if #problems > 0 then
  return health("Degraded", table.concat(problems, "; "))
end

if isTrue(ready) then
  local message = describe(ready)
  if noHuman then
    message = message .. "; " .. describe(degraded)
  end
  return health("Healthy", message)
end
if ready ~= nil then
  return health("Progressing", describe(ready))
end
return health("Progressing", "Waiting for the operator to report Ready")
