import type { Sample } from '@roast-operator/proto';
import { describe, expect, it } from 'vitest';
import { TelemetryBuffer } from './telemetry.ts';

const at = (timeMs: number): Sample => ({ timeMs, heater: 0, fan: 1, drum: 1, stateCode: 0 });

/** A buffer holding batches 1..count of two samples each (times 1, 2 | 3, 4 | …). */
function filled(count: number, capacity = 10): TelemetryBuffer {
  const buffer = new TelemetryBuffer({ batchSamples: 2, capacity });
  for (let t = 1; t <= count * 2; t++) if (buffer.add(at(t))) buffer.close();
  return buffer;
}

function drain(buffer: TelemetryBuffer): number[] {
  const seqs: number[] = [];
  for (let batch = buffer.next(); batch; batch = buffer.next()) seqs.push(batch.seq);
  return seqs;
}

describe('TelemetryBuffer', () => {
  it('numbers full batches from 1 and closes a partial one on demand', () => {
    const buffer = new TelemetryBuffer({ batchSamples: 3, capacity: 10 });
    expect([buffer.add(at(1)), buffer.add(at(2)), buffer.add(at(3))]).toEqual([false, false, true]);
    buffer.close();
    buffer.add(at(4));
    expect(buffer.open).toBe(true);
    buffer.close();
    expect(buffer.close()).toEqual({ batches: 0, points: 0 });
    expect([buffer.next(), buffer.next(), buffer.next()]).toEqual([
      { seq: 1, samples: [at(1), at(2), at(3)] },
      { seq: 2, samples: [at(4)] },
      undefined,
    ]);
  });

  it('sends each batch once per stream, and every unacknowledged one again after a rewind', () => {
    const buffer = filled(4);
    expect(drain(buffer)).toEqual([1, 2, 3, 4]);
    expect(buffer.acknowledge(2)).toBe(2);
    buffer.rewind();
    expect(drain(buffer)).toEqual([3, 4]);
    expect(buffer.depth).toBe(2);
  });

  it('never sends an acknowledged batch again, even one acknowledged before it was sent', () => {
    const buffer = filled(4);
    expect(buffer.next()?.seq).toBe(1);
    buffer.acknowledge(3);
    expect(drain(buffer)).toEqual([4]);
    buffer.rewind();
    expect(drain(buffer)).toEqual([4]);
  });

  it('ignores an ack that goes backwards and clamps one beyond the last batch', () => {
    const buffer = filled(3);
    buffer.acknowledge(2);
    expect(buffer.acknowledge(1)).toBe(0);
    expect(buffer.acknowledge(99)).toBe(1);
    expect(buffer.committedSeq).toBe(3);
    // A batch numbered after the clamped ack is still sent.
    buffer.add(at(100));
    buffer.close();
    expect(drain(buffer)).toEqual([4]);
  });

  it('drops the oldest batches when full and sends from the oldest kept', () => {
    const buffer = filled(3, 3);
    expect(buffer.next()?.seq).toBe(1);
    buffer.add(at(7));
    buffer.add(at(8));
    expect(buffer.close()).toEqual({ batches: 1, points: 2 });
    buffer.add(at(9));
    buffer.add(at(10));
    expect(buffer.close()).toEqual({ batches: 1, points: 2 });
    expect(drain(buffer)).toEqual([3, 4, 5]);
  });

  // A step closes a batch of that many samples, or acknowledges through a seq.
  type Step = number | { ack: number };
  it.each<[string, number, Step[], { batches: number; points: number }, number[]]>([
    ['nothing while under capacity', 3, [2, 2, 2], { batches: 0, points: 0 }, [1, 2, 3]],
    ['the oldest batch with its samples', 3, [2, 2, 2, 3], { batches: 1, points: 2 }, [2, 3, 4]],
    ['batches of any size, one closed early included', 2, [3, 1, 2, 3], { batches: 2, points: 4 }, [3, 4]],
    ['nothing acknowledged', 2, [2, 2, { ack: 2 }, 2, 2], { batches: 0, points: 0 }, [3, 4]],
    ['only what was unacknowledged', 2, [1, 2, { ack: 1 }, 3, 4], { batches: 1, points: 2 }, [3, 4]],
  ])('counts as dropped %s', (_, capacity, steps, dropped, kept) => {
    const buffer = new TelemetryBuffer({ batchSamples: 100, capacity });
    let t = 0;
    const reported = { batches: 0, points: 0 };
    for (const step of steps) {
      if (typeof step !== 'number') {
        buffer.acknowledge(step.ack);
        continue;
      }
      for (let i = 0; i < step; i++) buffer.add(at(++t));
      const d = buffer.close();
      reported.batches += d.batches;
      reported.points += d.points;
    }
    expect(reported).toEqual(dropped);
    expect({ batches: buffer.droppedBatches, points: buffer.droppedPoints }).toEqual(dropped);
    expect(drain(buffer)).toEqual(kept);
  });
});
