import { describe, expect, it } from 'vitest';
import { chartCrdsDirectory, crdsDirectory, manifests } from './crds.ts';

describe('charts/roast-operator/crds/', () => {
  it('holds exactly the generated CRDs: run `npm run chart:crds` after `npm run crds`', () => {
    const generated = manifests(crdsDirectory);
    expect(generated.size).toBeGreaterThan(0);
    expect(manifests(chartCrdsDirectory)).toEqual(generated);
  });
});
