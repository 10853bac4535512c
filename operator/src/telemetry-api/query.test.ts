import { describe, expect, it } from 'vitest';
import { maxPointsPerResponse, negotiate, parsePath, parseQuery, type ReadQuery } from './query.ts';
import { Failure } from './refusals.ts';

const prefix = '/apis/telemetry.roasting.simcorp.io/v1alpha1';

describe('the path', () => {
  it.each([
    [`${prefix}/namespaces/roastery/roastsessions/guji-0412`, { namespace: 'roastery', name: 'guji-0412' }],
    [`${prefix}/namespaces/roastery/roastsessions/a.b-1/`, { namespace: 'roastery', name: 'a.b-1' }],
    [`${prefix}/namespaces/roastery/roastsessions`, undefined],
    [`${prefix}/namespaces/roastery/roastsessions/s/extra`, undefined],
    [`${prefix}/namespaces/Roastery/roastsessions/s`, undefined],
    [`${prefix}/namespaces/a.b/roastsessions/s`, undefined],
    [`${prefix}/namespaces/roastery/roastsessions/-s`, undefined],
    ['/apis/telemetry.roasting.simcorp.io/v1/namespaces/roastery/roastsessions/s', undefined],
    ['/api/v1/namespaces/roastery/roastsessions/s', undefined],
  ])('%s', (path, expected) => {
    expect(parsePath(path)).toEqual(expected);
  });
});

const query = (q: string, accept?: string) => parseQuery(new URLSearchParams(q), accept);
const refusal = (q: string, accept?: string): Failure => {
  try {
    query(q, accept);
  } catch (err) {
    if (err instanceof Failure) return err;
    throw err;
  }
  throw new Error(`${q} was accepted`);
};

describe('the query', () => {
  it.each<[string, string | undefined, ReadQuery]>([
    ['', undefined, { format: 'json', follow: false }],
    [
      'since=2026-11-24T09:30:00.250Z',
      undefined,
      { sinceMs: Date.UTC(2026, 10, 24, 9, 30, 0, 250), format: 'json', follow: false },
    ],
    [
      'since=2026-11-24T10:30:00%2B01:00',
      undefined,
      { sinceMs: Date.UTC(2026, 10, 24, 9, 30), format: 'json', follow: false },
    ],
    ['step=5s', undefined, { stepMs: 5000, format: 'json', follow: false }],
    ['step=500ms', undefined, { stepMs: 500, format: 'json', follow: false }],
    ['step=2.5', undefined, { stepMs: 2500, format: 'json', follow: false }],
    ['step=1m', undefined, { stepMs: 60_000, format: 'json', follow: false }],
    ['maxPoints=300', undefined, { maxPoints: 300, format: 'json', follow: false }],
    [
      `maxPoints=${maxPointsPerResponse}`,
      undefined,
      { maxPoints: maxPointsPerResponse, format: 'json', follow: false },
    ],
    ['format=csv', 'application/json', { format: 'csv', follow: false }],
    ['format=json', 'text/csv', { format: 'json', follow: false }],
    ['', 'text/csv', { format: 'csv', follow: false }],
    ['follow=true', 'text/csv', { format: 'json', follow: true }],
    [
      'follow=true&since=2026-11-24T09:30:00.250Z',
      undefined,
      { sinceMs: Date.UTC(2026, 10, 24, 9, 30, 0, 250), format: 'json', follow: true },
    ],
    ['follow=false&format=csv', undefined, { format: 'csv', follow: false }],
  ])('%s (Accept %s)', (q, accept, expected) => {
    expect(query(q, accept)).toEqual(expected);
  });

  it.each([
    ['since=yesterday', 400, 'since=yesterday is not an RFC 3339 time'],
    ['since=2026-11-24', 400, 'is not an RFC 3339 time'],
    ['since=1764000000000', 400, 'is not an RFC 3339 time'],
    ['since=2026-11-24T09:30:00', 400, 'is not an RFC 3339 time'],
    ['step=0s', 400, 'step=0s is not a duration from 1ms to 1h'],
    ['step=2h', 400, 'step=2h is not a duration'],
    ['step=fast', 400, 'step=fast is not a duration'],
    ['step=0.0001', 400, 'is not a duration'],
    ['maxPoints=0', 400, `maxPoints=0 is not a whole number from 1 to ${maxPointsPerResponse}`],
    [`maxPoints=${maxPointsPerResponse + 1}`, 400, 'is not a whole number'],
    ['maxPoints=1e3', 400, 'is not a whole number'],
    ['step=5s&maxPoints=10', 400, 'give step or maxPoints, not both'],
    ['step=5s&step=10s', 400, 'query parameter step is given twice'],
    ['max_points=10', 400, 'unknown query parameter max_points'],
    ['format=xml', 400, 'format=xml is not json or csv'],
    ['follow=yes', 400, 'follow=yes is not true or false'],
    ['follow=true&step=5s', 400, 'follow=true streams every point: leave out step and maxPoints'],
    ['follow=true&maxPoints=10', 400, 'follow=true streams every point'],
    ['follow=true&format=csv', 400, 'follow=true streams JSON lines (application/x-ndjson)'],
  ])('refuses %s', (q, code, message) => {
    const failure = refusal(q);
    expect(failure.code).toBe(code);
    expect(failure.message).toContain(message);
  });

  it('answers 406 when the client accepts neither format', () => {
    const failure = refusal('', 'text/html');
    expect(failure.code).toBe(406);
    expect(failure.message).toContain('application/json and text/csv');
  });
});

describe('content negotiation', () => {
  it.each([
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['text/csv', 'csv'],
    ['text/*', 'csv'],
    ['text/csv, application/json', 'json'],
    ['text/csv;q=1, application/json;q=0.5', 'csv'],
    // The specific range gives JSON its weight; CSV gets the wildcard's.
    ['application/json;q=0.2, */*;q=0.9', 'csv'],
    ['text/csv;q=0.5, */*;q=0.1', 'csv'],
    ['application/*;q=0, text/csv;q=0.1', 'csv'],
    ['TEXT/CSV', 'csv'],
    ['text/html', undefined],
    ['application/json;q=0, text/csv;q=0', undefined],
  ])('%s → %s', (accept, expected) => {
    expect(negotiate(accept)).toBe(expected);
  });
});
