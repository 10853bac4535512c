// A seeded PRNG whose whole state is one 32-bit integer, so a model state that carries it stays a
// plain value: the same seed and the same inputs give the same noise on every run and platform.
// The generator is mulberry32 (public domain), ample for sensor noise.

export type Draw = { readonly value: number; readonly seed: number };

/** A uniform number in [0, 1) and the next seed. */
export function uniform(seed: number): Draw {
  const next = (seed + 0x6d2b79f5) >>> 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 2 ** 32, seed: next };
}

/** A standard normal number (Box–Muller) and the next seed. */
export function normal(seed: number): Draw {
  const a = uniform(seed);
  const b = uniform(a.seed);
  // 1 − u lies in (0, 1], so the logarithm is finite.
  const value = Math.sqrt(-2 * Math.log(1 - a.value)) * Math.cos(2 * Math.PI * b.value);
  return { value, seed: b.seed };
}
