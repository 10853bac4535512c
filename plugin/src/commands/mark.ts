// mark SESSION first-crack|dry-end|first-crack-end|second-crack|present|note [--note]: appends the user's
// mark with a JSON patch guarded by the session's resourceVersion, so a mark made at the same moment by
// someone else is never overwritten (the CRD keeps marks append-only too); a lost race is tried again.

import { ApiException } from '@kubernetes/client-node';
import type { MarkType, RoastSession } from '@roast-operator/api';
import { isConflict } from '@roast-operator/kube';
import type { Connection } from '../connection.ts';
import { type Context, step } from '../context.ts';
import { Refusal, refusalMessage, UsageError } from '../refusal.ts';

/** The words a person types for each mark. */
export const markWords: Readonly<Record<string, MarkType>> = {
  'dry-end': 'dryEnd',
  'first-crack': 'firstCrack',
  'first-crack-end': 'firstCrackEnd',
  'second-crack': 'secondCrack',
  present: 'present',
  note: 'note',
};

const attempts = 3;

export function markPatch(
  session: RoastSession,
  mark: { type: MarkType; by: string; note?: string },
): unknown[] {
  const marks = session.spec.marks ?? [];
  return [
    { op: 'test', path: '/metadata/resourceVersion', value: session.metadata.resourceVersion },
    marks.length > 0
      ? { op: 'add', path: '/spec/marks/-', value: mark }
      : { op: 'add', path: '/spec/marks', value: [mark] },
  ];
}

// A failed `test` op answers 422 with this reason text; a changed resourceVersion is a lost race.
const lostRace = (err: unknown) =>
  isConflict(err) ||
  (err instanceof ApiException && err.code === 422 && /test operation/i.test(String(err.message)));

export async function mark(ctx: Context): Promise<void> {
  const [name, word, ...rest] = ctx.args;
  const type = markWords[word ?? ''];
  if (name === undefined || type === undefined || rest.length > 0)
    throw new UsageError(`kubectl roast mark SESSION ${Object.keys(markWords).join('|')} [--note TEXT]`);
  const note = ctx.flags.note;
  if (type === 'note' && !note)
    throw new UsageError(`a note needs its text: kubectl roast mark ${name} note --note "…"`);
  const user = await appendMark(ctx.connection(), name, type, note);
  ctx.io.out(`Marked ${word} on RoastSession ${name} as ${user}.`);
}

/** Appends the user's mark to the session, trying again when someone else's lands first; returns the user. */
export async function appendMark(
  conn: Connection,
  name: string,
  type: MarkType,
  note?: string,
): Promise<string> {
  const user = await step('asking the API server who you are', () => conn.user());
  const value = { type, by: user, ...(note && { note }) };
  for (let attempt = 1; ; attempt++) {
    const session = await step(`reading RoastSession ${name}`, () => conn.session(name));
    try {
      await conn.resource('session').patch(conn.namespace, name, markPatch(session, value), { type: 'json' });
      return user;
    } catch (err) {
      if (lostRace(err) && attempt < attempts) continue;
      const word = Object.keys(markWords).find((w) => markWords[w] === type) ?? type;
      throw new Refusal(refusalMessage(`marking ${word} on RoastSession ${name}`, err), { cause: err });
    }
  }
}
