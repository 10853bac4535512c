import { describe, expect, it } from 'vitest';
import {
  type Condition,
  findStatusCondition,
  metaTime,
  readyAndReconciling,
  setStatusCondition,
} from './conditions.ts';

const t0 = new Date('2026-11-24T10:00:00.250Z');
const t1 = new Date('2026-11-24T10:05:00.000Z');

describe('conditions', () => {
  it('adds a condition with a seconds-precision transition time', () => {
    const { conditions, changed } = setStatusCondition(
      undefined,
      { type: 'Ready', status: 'False', reason: 'Waiting' },
      t0,
    );
    expect(changed).toBe(true);
    expect(conditions).toEqual([
      {
        type: 'Ready',
        status: 'False',
        reason: 'Waiting',
        message: '',
        lastTransitionTime: '2026-11-24T10:00:00Z',
      },
    ]);
  });

  it('moves lastTransitionTime only when the status changes', () => {
    let { conditions } = setStatusCondition([], { type: 'Ready', status: 'False', reason: 'Waiting' }, t0);
    const same = setStatusCondition(
      conditions,
      { type: 'Ready', status: 'False', reason: 'StillWaiting', message: 'm', observedGeneration: 2 },
      t1,
    );
    expect(same.changed).toBe(true);
    expect(same.conditions[0]).toMatchObject({
      reason: 'StillWaiting',
      message: 'm',
      observedGeneration: 2,
      lastTransitionTime: metaTime(t0),
    });
    conditions = same.conditions;
    const flipped = setStatusCondition(
      conditions,
      { type: 'Ready', status: 'True', reason: 'Done', observedGeneration: 2 },
      t1,
    );
    expect(flipped.conditions[0]?.lastTransitionTime).toBe(metaTime(t1));
    expect(findStatusCondition(flipped.conditions, 'Ready')?.status).toBe('True');
  });

  it('reports no change when nothing differs and leaves the input untouched', () => {
    const input: Condition[] = [
      { type: 'Ready', status: 'True', reason: 'Done', message: '', lastTransitionTime: metaTime(t0) },
    ];
    const frozen = structuredClone(input);
    const { changed, conditions } = setStatusCondition(
      input,
      { type: 'Ready', status: 'True', reason: 'Done' },
      t1,
    );
    expect(changed).toBe(false);
    expect(conditions).toEqual(frozen);
    expect(input).toEqual(frozen);
  });

  it('keeps other conditions and their order', () => {
    let list = setStatusCondition([], { type: 'A', status: 'True', reason: 'R' }, t0).conditions;
    list = setStatusCondition(list, { type: 'example.com/B', status: 'False', reason: 'R' }, t0).conditions;
    list = setStatusCondition(list, { type: 'A', status: 'False', reason: 'R' }, t1).conditions;
    expect(list.map((c) => c.type)).toEqual(['A', 'example.com/B']);
    expect(findStatusCondition(list, 'A')?.status).toBe('False');
    expect(findStatusCondition(list, 'C')).toBeUndefined();
  });

  it('sets Ready and Reconciling together, each keeping its transition time while its status holds', () => {
    const working = readyAndReconciling(
      [],
      {
        ready: false,
        readyReason: 'Dispatched',
        reconciling: true,
        reconcilingReason: 'AwaitingResult',
        message: 'm',
        observedGeneration: 1,
      },
      t0,
    );
    expect(working).toEqual([
      {
        type: 'Ready',
        status: 'False',
        observedGeneration: 1,
        lastTransitionTime: metaTime(t0),
        reason: 'Dispatched',
        message: 'm',
      },
      {
        type: 'Reconciling',
        status: 'True',
        observedGeneration: 1,
        lastTransitionTime: metaTime(t0),
        reason: 'AwaitingResult',
        message: 'm',
      },
    ]);
    const done = readyAndReconciling(
      working,
      { ready: false, readyReason: 'Failed', reconciling: false, reconcilingReason: 'Failed', message: 'n' },
      t1,
    );
    expect(findStatusCondition(done, 'Ready')).toMatchObject({
      reason: 'Failed',
      lastTransitionTime: metaTime(t0),
    });
    expect(findStatusCondition(done, 'Reconciling')).toMatchObject({
      status: 'False',
      lastTransitionTime: metaTime(t1),
    });
  });

  it.each([
    [{ type: 'not a type', status: 'True', reason: 'R' }, /type/],
    [{ type: 'Ready', status: 'True', reason: '1bad' }, /reason/],
    [{ type: 'Ready', status: 'True', reason: 'Bad-Reason' }, /reason/],
    [{ type: 'Ready', status: 'True', reason: 'R', message: 'x'.repeat(32769) }, /message/],
    [{ type: 'Ready', status: 'True', reason: 'R', observedGeneration: -1 }, /observedGeneration/],
  ] as const)('rejects what metav1.Condition validation would reject: %#', (update, error) => {
    expect(() => setStatusCondition([], update, t0)).toThrow(error);
  });
});
