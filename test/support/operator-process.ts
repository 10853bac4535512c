// The operator process runner is the demo's (tools/demo), shared with the suites.
export { type LogLine, OperatorProcess, type OperatorProcessOptions } from '@roast-operator/demo';
