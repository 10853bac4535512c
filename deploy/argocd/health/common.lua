-- Helpers for the Roast Operator's Argo CD health checks, put in front of each kind's script by
-- `npm run gitops:argocd`. Argo CD runs health scripts from argocd-cm with only Lua's base and table
-- libraries (no string or math library, gopher-lua's Lua 5.1), and any field of `obj` may be absent.

local function health(status, message)
  return { status = status, message = message }
end

-- The status condition of this type, or nil.
local function condition(obj, conditionType)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
    if c.type == conditionType then
      return c
    end
  end
  return nil
end

local function isTrue(c)
  return c ~= nil and c.status == "True"
end

local function isFalse(c)
  return c ~= nil and c.status == "False"
end

-- "Ready False (Latched): Emergency-stop latch … is set."
local function describe(c)
  local text = c.type .. " " .. tostring(c.status)
  if c.reason ~= nil and c.reason ~= "" then
    text = text .. " (" .. c.reason .. ")"
  end
  if c.message ~= nil and c.message ~= "" then
    text = text .. ": " .. c.message
  end
  return text
end

-- Why the status does not describe the current spec yet, or nil when it does. kstatus skips the check when
-- status.observedGeneration is absent; `required` makes its absence count as not observed. A Ready condition
-- set from an older generation is out of date too.
local function notObserved(obj, required)
  local generation = nil
  if obj.metadata ~= nil then
    generation = obj.metadata.generation
  end
  if generation == nil then
    return nil
  end
  local observed = nil
  if obj.status ~= nil then
    observed = obj.status.observedGeneration
  end
  if observed == nil then
    if required then
      return "Waiting for the operator to observe generation " .. generation
    end
  elseif observed < generation then
    return "Waiting for the operator to observe generation " .. generation .. " (status is from generation " .. observed .. ")"
  end
  local ready = condition(obj, "Ready")
  if ready ~= nil and ready.observedGeneration ~= nil and ready.observedGeneration < generation then
    return "Waiting for the operator to observe generation " .. generation .. " (Ready is from generation " .. ready.observedGeneration .. ")"
  end
  return nil
end

-- The kstatus verdicts every kind shares: generation not observed yet, Stalled, Reconciling. nil when none applies.
local function kstatusHealth(obj, generationRequired)
  local waiting = notObserved(obj, generationRequired)
  if waiting ~= nil then
    return health("Progressing", waiting)
  end
  local stalled = condition(obj, "Stalled")
  if isTrue(stalled) then
    return health("Degraded", describe(stalled))
  end
  return nil
end
