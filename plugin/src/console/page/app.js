// The console page: polls the console for the roastery and for the followed roast's new points, and sends
// the user's decisions, stops and marks. Everything from the roastery is set as text, never as markup. The
// launch token comes in the URL's fragment (which the browser never sends), is kept for this tab only and
// goes with every request in a header.
import { drawCurve, minutes } from './chart.js';

const tokenHeader = 'X-Roast-Console-Token';
const fromFragment = new URLSearchParams(location.hash.slice(1)).get('token');
if (fromFragment) {
  sessionStorage.setItem('roast-console-token', fromFragment);
  history.replaceState(null, '', location.pathname);
}
const token = sessionStorage.getItem('roast-console-token') ?? '';
const $ = (id) => document.getElementById(id);
const eventNames = {
  charge: 'charge',
  turningPoint: 'turning point',
  dryEnd: 'dry end',
  firstCrack: 'first crack',
  firstCrackEnd: 'first crack end',
  secondCrack: 'second crack',
  drop: 'drop',
};

const state = {
  overview: undefined,
  followed: undefined,
  chosenByUser: false,
  curve: {
    session: undefined,
    origin: undefined,
    points: [],
    events: {},
    profile: undefined,
    phase: undefined,
  },
  stop: undefined,
  problemFromRead: false,
};

async function api(path, body) {
  const response = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { [tokenHeader]: token, ...(body !== undefined && { 'Content-Type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const answer = await response.json().catch(() => ({ message: response.statusText }));
  if (!response.ok) throw new Error(answer.message ?? `${response.status}`);
  return answer;
}

function el(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === 'onclick') element.addEventListener('click', value);
    else if (value !== undefined && value !== false) element.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat())
    if (child !== undefined && child !== null) element.append(child instanceof Node ? child : String(child));
  return element;
}

function table(headers, rows) {
  return el(
    'table',
    {},
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        headers.map((h) => el('th', { scope: 'col' }, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.map((cells) =>
        el(
          'tr',
          {},
          cells.map((c) => el('td', {}, c ?? '-')),
        ),
      ),
    ),
  );
}

/** Shows what went wrong; a refused action stays until the next action, a failed read until a read works. */
function problem(text, fromRead = false) {
  state.problemFromRead = fromRead;
  $('problem').hidden = !text;
  $('problem').textContent = text ?? '';
}

const describe = (c) =>
  c.target !== undefined
    ? `${c.type} ${c.target}`
    : c.fromState !== undefined
      ? `${c.type} from ${c.fromState}`
      : c.latchId !== undefined
        ? `${c.type} ${c.latchId}`
        : c.type;

/** Asks in a modal dialog; resolves to the reason typed (or '') on yes, undefined on cancel. */
function ask({ title, text, ok, reason }) {
  const dialog = $('confirm');
  $('confirm-title').textContent = title;
  $('confirm-text').textContent = text;
  $('confirm-ok').textContent = ok;
  $('confirm-ok').className = ok.startsWith('Stop') ? 'danger' : '';
  $('confirm-reason-row').hidden = !reason;
  $('confirm-reason').value = '';
  $('confirm-reason').required = reason === 'required';
  dialog.returnValue = '';
  dialog.showModal();
  (reason ? $('confirm-reason') : $('confirm-ok')).focus();
  return new Promise((resolve) =>
    dialog.addEventListener(
      'close',
      () => resolve(dialog.returnValue === 'ok' ? $('confirm-reason').value.trim() : undefined),
      { once: true },
    ),
  );
}

function renderFleet(roasters) {
  $('fleet').replaceChildren(
    roasters.length === 0
      ? el('p', {}, 'No roasters in this namespace.')
      : table(
          ['Roaster', 'State', 'Autonomy', 'Latch', 'Levels', 'BT', 'Session', ''],
          roasters.map((r) => {
            const s = r.status ?? {};
            const levels = s.levels;
            const latch = s.latch;
            const effective = s.effectiveAutonomy;
            return [
              r.metadata.name,
              s.phase ?? 'not reported',
              el(
                'span',
                {},
                `${effective?.level ?? r.spec.autonomy?.level ?? 'L1'} (of ${r.spec.autonomy?.level ?? 'L1'})`,
                ...(effective?.reasons ?? []).map((why) => el('div', {}, why)),
              ),
              el(
                'span',
                {},
                latch
                  ? el(
                      'span',
                      { class: 'latched' },
                      `LATCHED ${latch.id}: ${latch.cause}${latch.message ? ` — ${latch.message}` : ''}`,
                    )
                  : 'clear',
                ...(s.edgeLatches ?? []).map((l) =>
                  el(
                    'div',
                    {},
                    `edge latch ${l.id}: ${l.cause}${l.conditionActive ? ' (still active)' : ' (condition gone)'}`,
                  ),
                ),
              ),
              levels ? `heater ${levels.heater} · fan ${levels.fan} · drum ${levels.drum}` : '-',
              s.lastTelemetry?.beanTemperatureCelsius === undefined
                ? '-'
                : `${s.lastTelemetry.beanTemperatureCelsius.toFixed(1)} °C`,
              s.activeSession
                ? el(
                    'button',
                    { type: 'button', onclick: () => follow(s.activeSession.name, true) },
                    `Follow ${s.activeSession.name}`,
                  )
                : '-',
              el(
                'button',
                { type: 'button', class: 'danger', onclick: () => emergencyStop(r.metadata.name) },
                `Emergency stop ${r.metadata.name}`,
              ),
            ];
          }),
        ),
  );
}

function renderApprovals(pending, roasters) {
  if (pending.length === 0) {
    $('approvals').replaceChildren(el('p', {}, 'Nothing awaits approval.'));
    return;
  }
  $('approvals').replaceChildren(
    ...pending.map((p) => {
      const name = p.metadata.name;
      const governor = p.status?.governor;
      const roaster = roasters.find((r) => r.metadata.name === p.spec.roasterRef.name);
      const limits = roaster?.spec.limits ?? {};
      const what = `${describe(p.spec.command)} on ${p.spec.roasterRef.name}`;
      const rows = [
        ['Command', describe(p.spec.command)],
        ['Roaster', p.spec.roasterRef.name],
        ['Session', p.spec.sessionRef?.name],
        ['Proposed by', p.spec.proposedBy],
        ['Rationale', p.spec.rationale],
        ['Governor', governor && `${governor.decision} by rule ${governor.rule} at ${governor.level}`],
        ...(governor?.reasons ?? []).map((r) => ['because', r]),
        [
          'Limits',
          Object.entries(limits)
            .map(([k, v]) => `${k} ${JSON.stringify(v)}`)
            .join('; ') || 'the model’s ranges',
        ],
        ['Expires', p.status?.expiresAt],
      ];
      return el(
        'article',
        { class: 'card', 'aria-label': `Proposal ${name}` },
        el('h3', {}, `${what} — ${name}`),
        el(
          'dl',
          {},
          rows.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v ?? '-')]),
        ),
        el(
          'p',
          {},
          el(
            'button',
            { type: 'button', class: 'approve', onclick: () => decide(p, 'Approved', what) },
            `Approve ${name}`,
          ),
          ' ',
          el('button', { type: 'button', onclick: () => decide(p, 'Rejected', what) }, `Reject ${name}`),
        ),
      );
    }),
  );
}

function renderHistory(sessions, history) {
  $('sessions').replaceChildren(
    table(
      ['Session', 'Roaster', 'Phase', 'Coffee', 'Time', 'DTR', ''],
      sessions.map((s) => [
        s.metadata.name,
        s.spec.roasterRef.name,
        s.status?.phase ?? 'Pending',
        s.spec.profile?.coffee,
        s.status?.metrics?.totalSeconds === undefined ? '-' : minutes(s.status.metrics.totalSeconds),
        s.status?.metrics?.developmentRatioPercent === undefined
          ? '-'
          : `${s.status.metrics.developmentRatioPercent.toFixed(1)} %`,
        el(
          'button',
          { type: 'button', onclick: () => follow(s.metadata.name, true) },
          `Show ${s.metadata.name}`,
        ),
      ]),
    ),
  );
  $('history').replaceChildren(
    table(
      ['Proposal', 'Roaster', 'Command', 'Phase', 'Proposer', 'Approver', 'Result'],
      history.map((p) => [
        p.metadata.name,
        p.spec.roasterRef.name,
        describe(p.spec.command),
        p.status?.phase ?? 'Pending',
        p.spec.proposedBy,
        p.spec.approval && `${p.spec.approval.approver} (${p.spec.approval.decision})`,
        p.status?.result &&
          `${p.status.result.outcome}${p.status.result.message ? `: ${p.status.result.message}` : ''}`,
      ]),
    ),
  );
}

async function refresh() {
  try {
    const o = await api('/api/overview');
    state.overview = o;
    $('who').textContent = `Acting as ${o.user} in namespace ${o.namespace}`;
    renderFleet(o.roasters);
    renderApprovals(o.pending, o.roasters);
    renderHistory(o.sessions, o.history);
    if (!state.chosenByUser) {
      const active = o.roasters.find((r) => r.status?.activeSession)?.status.activeSession.name;
      const latest = active ?? o.sessions[0]?.metadata.name;
      if (latest && latest !== state.followed) follow(latest, false);
    }
    showStopProgress();
    if (state.problemFromRead) problem(undefined);
  } catch (err) {
    problem(`The console could not read the roastery: ${err.message}`, true);
  }
}

function follow(session, byUser) {
  state.chosenByUser ||= byUser;
  if (state.followed === session) return;
  state.followed = session;
  state.curve = {
    session,
    origin: undefined,
    points: [],
    events: {},
    profile: undefined,
    phase: undefined,
    reference: undefined,
    deviation: [],
    reconnecting: undefined,
  };
  void pollCurve();
}

async function pollCurve() {
  const curve = state.curve;
  if (!curve.session || !state.overview?.telemetry) {
    if (state.overview && !state.overview.telemetry)
      $('live-summary').textContent =
        'The curve needs the telemetry read API: start the console with --telemetry-server URL.';
    return;
  }
  try {
    const answer = await api(
      `/api/sessions/${encodeURIComponent(curve.session)}/telemetry?from=${curve.points.length}`,
    );
    if (state.curve !== curve) return;
    // The origin moves from the first point to the charge: the points held are on the old one.
    if (curve.points.length > 0 && answer.origin?.time !== curve.origin?.time) {
      curve.points = [];
      curve.origin = answer.origin;
      return pollCurve();
    }
    curve.origin = answer.origin;
    curve.points.push(...answer.points);
    curve.events = answer.events;
    curve.profile = answer.profile;
    curve.reference = answer.reference;
    curve.deviation = answer.deviation;
    curve.reconnecting = answer.reconnecting;
    curve.phase = answer.session.phase;
    drawCurve($('curve'), curve);
    renderLive(curve);
  } catch (err) {
    $('live-summary').textContent = `The curve of ${curve.session} could not be read: ${err.message}`;
  }
}

function renderLive(curve) {
  const last = curve.points.at(-1);
  const reading = last
    ? `${last.t < 0 ? '-' : ''}${minutes(Math.abs(last.t))}: BT ${last.beanTemperatureCelsius?.toFixed(1) ?? '-'} °C, ET ${last.exhaustTemperatureCelsius?.toFixed(1) ?? '-'} °C, RoR ${last.beanRateOfRiseCelsiusPerMinute?.toFixed(1) ?? '-'} °C/min, heater ${last.heater} fan ${last.fan} drum ${last.drum}`
    : 'no readings yet';
  const plan = curve.profile
    ? ` Plan: ${[
        curve.profile.coffee,
        curve.profile.dropTemperatureCelsius && `drop at ${curve.profile.dropTemperatureCelsius} °C`,
        curve.profile.totalSeconds && `total ${minutes(curve.profile.totalSeconds)}`,
        curve.profile.developmentRatioPercent && `DTR ${curve.profile.developmentRatioPercent} %`,
      ]
        .filter(Boolean)
        .join(', ')}.`
    : '';
  const following = curve.reconnecting ? ` ${curve.reconnecting}.` : '';
  $('live-summary').textContent =
    `RoastSession ${curve.session} (${curve.phase}), ${curve.points.length} readings. ${reading}.${plan}${following}`;
  const reference = curve.reference?.problem ? [curve.reference.problem] : [];
  $('deviation').replaceChildren(...[...curve.deviation, ...reference].map((line) => el('li', {}, line)));
  $('events').replaceChildren(
    ...Object.entries(curve.events).map(([key, e]) =>
      el(
        'li',
        {},
        `${eventNames[key] ?? key} at ${minutes(e.secondsSinceCharge)}${e.beanTemperatureCelsius === undefined ? '' : `, BT ${e.beanTemperatureCelsius.toFixed(1)} °C`} (${e.source})`,
      ),
    ),
  );
  const ended = ['Completed', 'Aborted', 'Failed'].includes(curve.phase);
  $('mark-first-crack').hidden = ended || curve.events.firstCrack !== undefined;
}

async function decide(p, decision, what) {
  const name = p.metadata.name;
  const verb = decision === 'Approved' ? 'Approve' : 'Reject';
  const reason = await ask({
    title: `${verb} ${name}?`,
    text: `${verb} ${what} as ${state.overview?.user}. The decision is written once and never changed.`,
    ok: verb,
    reason: decision === 'Rejected' ? 'required' : 'optional',
  });
  if (reason === undefined) return;
  try {
    await api(`/api/proposals/${encodeURIComponent(name)}/decision`, { decision, ...(reason && { reason }) });
    problem(undefined);
  } catch (err) {
    problem(err.message);
  }
  await refresh();
}

async function emergencyStop(roaster) {
  const yes = await ask({
    title: `Emergency stop ${roaster}?`,
    text: `Heater 0, fan up, and the roaster latched until someone resets it. Acts as ${state.overview?.user}.`,
    ok: `Stop ${roaster} now`,
  });
  if (yes === undefined) return;
  state.stop = { roaster, lines: [`Stopping ${roaster}…`] };
  showStopProgress();
  try {
    const { name } = await api(`/api/roasters/${encodeURIComponent(roaster)}/stop`, {});
    state.stop.proposal = name;
    void followStop(state.stop);
  } catch (err) {
    state.stop.lines.push(`The stop was refused: ${err.message}`);
    showStopProgress();
  }
}

/** Until the roaster reports heater 0: the stop proposal's phase and the roaster's levels, twice a second. */
async function followStop(stop) {
  while (state.stop === stop && !stop.done) {
    try {
      const p = await api(`/api/proposals/${encodeURIComponent(stop.proposal)}`);
      stop.phase = p.status?.phase ?? 'Pending';
      stop.result = p.status?.result;
      await refresh();
    } catch (err) {
      stop.error = err.message;
    }
    showStopProgress();
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

function showStopProgress() {
  const stop = state.stop;
  if (!stop) return;
  const roaster = state.overview?.roasters.find((r) => r.metadata.name === stop.roaster);
  const heater = roaster?.status?.levels?.heater;
  const lines = [...stop.lines];
  if (stop.proposal)
    lines.push(
      `Emergency stop ${stop.proposal}: ${stop.phase ?? 'Pending'}${stop.result?.message ? ` (${stop.result.message})` : ''}`,
    );
  if (stop.proposal && heater !== undefined) lines.push(`${stop.roaster} reports heater ${heater}`);
  if (stop.proposal && stop.phase === 'Succeeded' && heater === 0) {
    stop.done = true;
    lines.push(`${stop.roaster} is stopped: heater 0, latched until reset.`);
  }
  if (stop.error) lines.push(stop.error);
  $('stop-progress').hidden = false;
  $('stop-progress').replaceChildren(...lines.map((l) => el('p', {}, l)));
}

$('mark-first-crack').addEventListener('click', async () => {
  const session = state.curve.session;
  try {
    await api(`/api/sessions/${encodeURIComponent(session)}/marks`, { type: 'firstCrack' });
    problem(undefined);
  } catch (err) {
    problem(err.message);
  }
});

await refresh();
setInterval(refresh, 2000);
setInterval(pollCurve, 1000);
