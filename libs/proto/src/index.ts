// The link protocol's messages, service definition and client, generated from proto/ (see buf.gen.yaml).
export * from './generated/roast/link/v1/link.ts';
