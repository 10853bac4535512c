// The product process runner is the demo's (tools/demo), shared with the suites.
export { type LogLine, NodeProcess, type NodeProcessOptions } from '@roast-operator/demo';
