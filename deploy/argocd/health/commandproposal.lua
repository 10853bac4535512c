-- CommandProposal: Suspended while it waits for a human decision (AwaitingApproval); Progressing while it
-- is governed or dispatched (Reconciling True; Pending, Approved, Dispatched) and until the operator has
-- observed the current spec (an approval added); Healthy once Succeeded, and when a human Rejected it (a
-- decision, not a fault: nothing is left to do or fix); Degraded when it ended Blocked, Failed, Expired or
-- Aborted, or Stalled is True.
local status = obj.status
if status == nil then
  return health("Progressing", "Waiting for the operator to govern the proposal")
end
local verdict = kstatusHealth(obj, false)
if verdict ~= nil then
  return verdict
end

local ended = { Blocked = true, Failed = true, Expired = true, Aborted = true }

-- Who decided and why, for a rejection.
local function decision()
  local approval = obj.spec and obj.spec.approval
  if approval == nil then
    return ""
  end
  local text = "; " .. tostring(approval.decision) .. " by " .. tostring(approval.approver)
  if approval.reason ~= nil and approval.reason ~= "" then
    text = text .. ": " .. approval.reason
  end
  return text
end

-- What the governor and the roaster said, for a proposal that ended badly.
local function details()
  local text = ""
  local governor = status.governor
  if governor ~= nil and governor.decision == "Deny" then
    text = text .. "; governor Deny " .. tostring(governor.rule) .. " at " .. tostring(governor.level)
    if governor.reasons ~= nil and #governor.reasons > 0 then
      text = text .. ": " .. table.concat(governor.reasons, " ")
    end
  end
  local result = status.result
  if result ~= nil then
    text = text .. "; result " .. tostring(result.outcome)
    if result.message ~= nil and result.message ~= "" then
      text = text .. ": " .. result.message
    end
  end
  return text
end

local function waiting(message)
  local text = "Waiting for a human decision"
  if status.expiresAt ~= nil then
    text = text .. " until " .. status.expiresAt
  end
  return health("Suspended", text .. ": " .. message)
end

local ready = condition(obj, "Ready")
if isTrue(ready) then
  return health("Healthy", describe(ready))
end
local reconciling = condition(obj, "Reconciling")
if isTrue(reconciling) then
  if reconciling.reason == "AwaitingApproval" or status.phase == "AwaitingApproval" then
    return waiting(describe(reconciling))
  end
  return health("Progressing", describe(reconciling))
end
-- Ready's reason is the phase the proposal ended in.
if isFalse(ready) and ready.reason == "Rejected" then
  return health("Healthy", describe(ready) .. decision())
end
if isFalse(ready) and ended[ready.reason] then
  return health("Degraded", describe(ready) .. details())
end

-- Phase is the fallback when the conditions do not decide.
local phase = status.phase
if phase == "Succeeded" then
  return health("Healthy", "Phase Succeeded")
end
if phase == "Rejected" then
  return health("Healthy", "Phase Rejected" .. decision())
end
if phase == "AwaitingApproval" then
  return waiting("Phase AwaitingApproval")
end
if ended[phase] then
  return health("Degraded", "Phase " .. phase .. details())
end
if ready ~= nil then
  return health("Progressing", describe(ready))
end
return health("Progressing", "Phase " .. tostring(phase or "Pending"))
