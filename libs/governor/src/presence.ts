import { type Instant, type Presence, toMs } from './inputs.ts';

/** How long an observed human action counts as a human being at the roaster. */
export const presenceWindowMs = 5 * 60_000;

/**
 * Whether a human was at the roaster within the presence window. A time after `now` is not trusted: the
 * operator observes on its own clock, so it would mean a mixed-up clock, and the safe answer is no.
 */
export function humanPresent(presence: Presence, now: Instant): boolean {
  if (presence.lastHumanActionAt === undefined) return false;
  const age = toMs(now) - toMs(presence.lastHumanActionAt);
  return age >= 0 && age <= presenceWindowMs;
}
