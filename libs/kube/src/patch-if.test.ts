import { describe, expect, it } from 'vitest';
import { statusPatchOf, testOf } from './patch-if.ts';

const obj = {
  metadata: { name: 'p', generation: 2, labels: { a: 'b' } },
  status: { phase: 'Dispatched', dispatch: { time: '2026-11-24T10:00:00Z' }, tags: ['x'] },
};

describe('testOf', () => {
  it.each([
    [['metadata', 'generation'], { op: 'test', path: '/metadata/generation', value: 2 }],
    [['status', 'phase'], { op: 'test', path: '/status/phase', value: 'Dispatched' }],
    [
      ['status', 'dispatch', 'time'],
      { op: 'test', path: '/status/dispatch/time', value: '2026-11-24T10:00:00Z' },
    ],
    // Absent: the first absent member must stay absent (a test of null), never a path under it.
    [['status', 'result'], { op: 'test', path: '/status/result', value: null }],
    [['status', 'result', 'outcome'], { op: 'test', path: '/status/result', value: null }],
    // A scalar where an object was expected: that scalar is what the write depends on.
    [['status', 'phase', 'x'], { op: 'test', path: '/status/phase', value: 'Dispatched' }],
    [['metadata', 'labels', 'a/b~c'], { op: 'test', path: '/metadata/labels/a~1b~0c', value: null }],
  ] as const)('%j', (path, want) => {
    expect(testOf(obj, path)).toEqual(want);
  });
});

describe('statusPatchOf', () => {
  it('tests what the write depends on, each once, then sets the fields given and removes those given as undefined', () => {
    expect(
      statusPatchOf(
        obj,
        [
          ['metadata', 'generation'],
          ['status', 'phase'],
          ['status', 'phase'],
        ],
        {
          phase: 'Expired',
          tags: undefined,
          result: undefined,
        },
      ),
    ).toEqual([
      { op: 'test', path: '/metadata/generation', value: 2 },
      { op: 'test', path: '/status/phase', value: 'Dispatched' },
      { op: 'add', path: '/status/phase', value: 'Expired' },
      { op: 'remove', path: '/status/tags' },
    ]);
  });

  it('writes a whole status where there was none, testing that there still is none', () => {
    const fresh = { metadata: { name: 'p', generation: 1 } };
    expect(statusPatchOf(fresh, [['status', 'phase']], { phase: 'Pending', gone: undefined })).toEqual([
      { op: 'test', path: '/status', value: null },
      { op: 'add', path: '/status', value: { phase: 'Pending' } },
    ]);
  });
});
