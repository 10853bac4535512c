// Where the bean temperature will be in a moment, from the few readings the API holds: the link writes the
// latest reading to the Roaster at most every 5 s, which at 20× is 100 s of roast. A straight line through
// the last two readings overshoots, because after its peak a roast's rate of rise falls steadily (on the
// simulated R1 by about a third a minute, docs/edge.md); the projection lets it decay exponentially, at the
// pace the last three readings show, or at a typical pace while there are only two.

/** One reading on the roast clock. */
export interface CurvePoint {
  /** Seconds since charge. */
  readonly seconds: number;
  readonly celsius: number;
}

/** The rate of rise's time constant (s) while the readings cannot tell it: a late Maillard phase. */
export const typicalDecaySeconds = 300;
const decayBounds = { min: 60, max: 1200 };

/** °C per minute between the last two points, when there are two. */
export function rateOfRise(points: readonly CurvePoint[]): number | undefined {
  const [a, b] = points.slice(-2);
  if (!a || !b || b.seconds <= a.seconds) return undefined;
  return (60 * (b.celsius - a.celsius)) / (b.seconds - a.seconds);
}

/** The points from the lowest one on: the turning point and the rise after it. */
export function sinceTurningPoint(points: readonly CurvePoint[]): CurvePoint[] {
  let lowest = 0;
  points.forEach((p, i) => {
    if (p.celsius <= points[lowest]!.celsius) lowest = i;
  });
  return points.slice(lowest);
}

/**
 * The bean temperature expected at `seconds`, from points on a rising curve. The rate between the last
 * two points holds at their midpoint and decays with time constant T from there, so the temperature gains
 * r·T·(e^(−(t₂−m)/T) − e^(−(t−m)/T)) after the last point.
 */
export function projectBean(points: readonly CurvePoint[], seconds: number): number | undefined {
  const last = points.at(-1);
  if (!last) return undefined;
  const [p0, p1, p2] = points.slice(-3).length === 3 ? points.slice(-3) : [undefined, ...points.slice(-2)];
  if (!p1 || !p2 || seconds <= last.seconds) return last.celsius;
  const rate = (a: CurvePoint, b: CurvePoint) => (b.celsius - a.celsius) / (b.seconds - a.seconds);
  const r2 = rate(p1, p2);
  if (!(r2 > 0)) return last.celsius;
  const m2 = (p1.seconds + p2.seconds) / 2;
  let decay = typicalDecaySeconds;
  if (p0) {
    const r1 = rate(p0, p1);
    const m1 = (p0.seconds + p1.seconds) / 2;
    if (r1 > r2) decay = Math.min(decayBounds.max, Math.max(decayBounds.min, (m2 - m1) / Math.log(r1 / r2)));
  }
  const gain = Math.exp(-(p2.seconds - m2) / decay) - Math.exp(-(seconds - m2) / decay);
  return last.celsius + r2 * decay * gain;
}
