import manifest from '../package.json' with { type: 'json' };

/** The agent's version, reported in hello. */
export const agentVersion: string = manifest.version;
