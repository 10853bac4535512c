export { type CommandSpec, commands, helpText, run } from './cli.ts';
export type { Io } from './context.ts';
