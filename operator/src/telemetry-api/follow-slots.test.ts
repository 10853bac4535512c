import { describe, expect, it } from 'vitest';
import { FollowSlots } from './follow-slots.ts';
import { Failure } from './refusals.ts';

const refusal = (take: () => unknown): Failure => {
  try {
    take();
  } catch (err) {
    if (err instanceof Failure) return err;
    throw err;
  }
  throw new Error('a slot was given');
};

describe('FollowSlots', () => {
  it('gives a caller its own slots and refuses one more, with Retry-After', () => {
    const slots = new FollowSlots({ perCaller: 2, total: 10 });
    slots.take('alice');
    slots.take('alice');
    const refused = refusal(() => slots.take('alice'));
    expect(refused.code).toBe(429);
    expect(refused.headers).toEqual({ 'Retry-After': '30' });
    expect(refused.message).toBe(
      'alice already follows 2 sessions, the most one caller may: end one (a follow ends with its session) or read without follow=true',
    );
    // Another caller is not held back by alice's follows.
    slots.take('bob');
    expect(slots.open).toBe(3);
  });

  it('bounds every caller together', () => {
    const slots = new FollowSlots({ perCaller: 5, total: 2 });
    slots.take('alice');
    slots.take('bob');
    expect(refusal(() => slots.take('carol')).message).toBe(
      'the read API already serves 2 follows, the most it holds: try again later or read without follow=true',
    );
  });

  it('frees a slot once when given back, however often it is given back', () => {
    const slots = new FollowSlots({ perCaller: 1, total: 2 });
    const giveBack = slots.take('alice');
    slots.take('bob');
    giveBack();
    giveBack();
    expect(slots.open).toBe(1);
    slots.take('alice');
    expect(refusal(() => slots.take('alice')).code).toBe(429);
  });
});
