// The roast curve as SVG: BT and ET against seconds since charge, the rate of rise on its own axis, the
// roast events as marks, the plan (drop temperature, total time) where the session has one, and the
// reference curve of the RoastProfile it follows, drawn behind the live BT.
const svgNs = 'http://www.w3.org/2000/svg';
const size = { width: 800, height: 320, left: 44, right: 44, top: 12, bottom: 28 };
const eventNames = {
  charge: 'charge',
  turningPoint: 'TP',
  dryEnd: 'dry end',
  firstCrack: 'first crack',
  drop: 'drop',
};

function node(name, attributes, text) {
  const element = document.createElementNS(svgNs, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** The scales for a curve: seconds across, °C up the left, °C/min up the right. */
export function scales(points, profile, reference) {
  const ts = [...points.map((p) => p.t), ...(reference?.seconds ?? [])];
  const temps = [
    ...points.flatMap((p) =>
      [p.beanTemperatureCelsius, p.exhaustTemperatureCelsius].filter((v) => v !== undefined),
    ),
    ...(reference?.beanCelsius ?? []),
  ];
  const t0 = Math.min(0, ...ts);
  const t1 = Math.max(60, ...ts, profile?.totalSeconds ?? 0);
  const top = Math.max(100, ...temps, profile?.dropTemperatureCelsius ?? 0);
  const tempMax = Math.ceil(top / 50) * 50;
  const plotWidth = size.width - size.left - size.right;
  const plotHeight = size.height - size.top - size.bottom;
  return {
    x: (t) => size.left + ((t - t0) / (t1 - t0)) * plotWidth,
    y: (c) => size.top + plotHeight - (Math.max(0, c) / tempMax) * plotHeight,
    ror: (r) => size.top + plotHeight - (Math.min(30, Math.max(0, r)) / 30) * plotHeight,
    t0,
    t1,
    tempMax,
  };
}

/** An SVG path through the points that have `key`, or '' when none has. */
export function path(points, key, x, y) {
  let d = '';
  let pen = 'M';
  for (const p of points) {
    const v = p[key];
    if (v === undefined) {
      pen = 'M';
      continue;
    }
    d += `${pen}${x(p.t).toFixed(1)},${y(v).toFixed(1)}`;
    pen = 'L';
  }
  return d;
}

const minutes = (s) => `${Math.floor(s / 60)}:${String(Math.round(s % 60)).padStart(2, '0')}`;

/** The profile's reference curve as points `path` takes, or none when the profile could not be read. */
export const referencePoints = (reference) =>
  (reference?.seconds ?? []).map((t, i) => ({ t, beanTemperatureCelsius: reference.beanCelsius[i] }));

export function drawCurve(svg, { points, events, profile, reference }) {
  const s = scales(points, profile, reference?.seconds ? reference : undefined);
  const parts = [
    node('title', {}, 'Roast curve: bean and exhaust temperature, rate of rise, events, plan, reference'),
  ];
  for (let c = 0; c <= s.tempMax; c += 50)
    parts.push(
      node('line', { class: 'grid', x1: size.left, x2: size.width - size.right, y1: s.y(c), y2: s.y(c) }),
      node('text', { class: 'axis', x: 4, y: s.y(c) + 4 }, `${c}°`),
    );
  for (let r = 0; r <= 30; r += 10)
    parts.push(node('text', { class: 'axis', x: size.width - size.right + 4, y: s.ror(r) + 4 }, `${r}/m`));
  for (let t = Math.ceil(s.t0 / 120) * 120; t <= s.t1; t += 120)
    parts.push(
      node(
        'text',
        { class: 'axis', x: s.x(t) - 10, y: size.height - 8 },
        `${t < 0 ? '-' : ''}${minutes(Math.abs(t))}`,
      ),
    );
  if (profile?.dropTemperatureCelsius !== undefined) {
    const y = s.y(profile.dropTemperatureCelsius);
    parts.push(node('line', { class: 'plan', x1: size.left, x2: size.width - size.right, y1: y, y2: y }));
  }
  if (profile?.totalSeconds !== undefined) {
    const x = s.x(profile.totalSeconds);
    parts.push(node('line', { class: 'plan', x1: x, x2: x, y1: size.top, y2: size.height - size.bottom }));
  }
  for (const [key, label] of Object.entries(eventNames)) {
    const e = events?.[key];
    if (!e) continue;
    const x = s.x(e.secondsSinceCharge);
    parts.push(
      node('line', { class: 'event', x1: x, x2: x, y1: size.top, y2: size.height - size.bottom }),
      node('text', { class: 'event-label', x: x + 3, y: size.top + 12 }, label),
    );
  }
  const ref = referencePoints(reference);
  parts.push(
    node('path', {
      class: 'reference',
      d: path(ref, 'beanTemperatureCelsius', s.x, s.y),
      'data-points': ref.length,
    }),
    node('path', { class: 'et', d: path(points, 'exhaustTemperatureCelsius', s.x, s.y) }),
    node('path', { class: 'ror', d: path(points, 'beanRateOfRiseCelsiusPerMinute', s.x, s.ror) }),
    node('path', {
      class: 'bt',
      d: path(points, 'beanTemperatureCelsius', s.x, s.y),
      'data-points': points.length,
    }),
  );
  svg.replaceChildren(...parts);
}

export { minutes };
