import { readFileSync } from 'node:fs';

/**
 * The images the repository builds, named with an explicit registry domain (`localhost/…`): containerd
 * matches an imported image only by its full name, and nothing here is ever pulled.
 */
const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export const productVersion = version;

/** The local Node 24 base (the npm `node` binary, npm, and the libraries node links): what CI builds on. */
export const baseImage = 'localhost/roast-operator/node-base:24';

/** The product images: one Dockerfile target each. */
export const productImages = {
  operator: `localhost/roast-operator/operator:${version}`,
  'edge-node': `localhost/roast-operator/edge-node:${version}`,
} as const;

export type ImageTarget = keyof typeof productImages;

/** An image's archive file name in the image directory. */
export function archiveName(image: string): string {
  return `${image.replace(/^localhost\//, '').replaceAll(/[/:]/g, '-')}.oci.tar`;
}
