/**
 * Whether a proposal comes from an agent (an automated proposer) rather than a human: service accounts and
 * every other `system:` identity, exactly as the admission policies' `isRobot`, so both layers agree.
 */
export function isAgent(username: string): boolean {
  return username.startsWith('system:');
}
