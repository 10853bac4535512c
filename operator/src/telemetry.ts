// The contract between the link and the controllers that follow a roaster's telemetry (RoastSessions):
// which roaster's stream connected and from what device, which samples the store committed, and when a
// stream went away. Like dispatch.ts it sits beside the controllers so neither side imports the other.
import type { SessionSource } from '@roast-operator/api';
import type { Sample } from '@roast-operator/proto';
import type { TelemetryStore } from '@roast-operator/store';
import type { RoasterRef } from './dispatch.ts';

/** The device a stream's hello described. */
export interface StreamDevice {
  /** AillioBulletR1, AillioBulletR1V2, Simulated or Replay. */
  readonly model: string;
  readonly serial: string;
  readonly firmware: string;
  /** For a simulated roaster its seed, for a replay the recording's name; empty for real hardware. */
  readonly sourceDetail: string;
}

export interface TelemetryListener {
  /** A stream for the roaster was welcomed (again, after a reconnect). */
  connected(roaster: RoasterRef, device: StreamDevice): void;
  /**
   * Samples the store has committed, batch by batch in the order the edge sent them, each batch once:
   * a batch the store already held (the edge resending after a lost ack) is not reported again. Times
   * are the edge's sample clock (`Sample.timeMs`), which a simulated roaster runs at its own time scale:
   * never compare them with the operator's clock.
   */
  samples(roaster: RoasterRef, samples: readonly Sample[]): void;
  /** The roaster's live stream ended (a newer stream from the same device does not end it). */
  disconnected(roaster: RoasterRef): void;
}

/** What the link tells the rest of the operator about telemetry; implemented by the link gateway. */
export interface TelemetryFeed {
  /** Adds a listener; returns how to remove it. */
  subscribe(listener: TelemetryListener): () => void;
}

/**
 * The store samples are committed to: open only while this process leads, undefined otherwise. Readers
 * use sessionPoints/sessionCounts and write only session windows.
 */
export type OpenStore = () => TelemetryStore | undefined;

/**
 * Where a session's data comes from, by the hello's device: a simulated roaster names its seed, a replay
 * its recording; anything else is a physical device. A simulated hello whose seed does not read as one
 * still is simulated (seed 0), so it never counts as a real roaster.
 */
export function sessionSource(device: StreamDevice): SessionSource {
  if (device.model === 'Simulated') {
    // The edge names it `seed 42`.
    const seed = Number(/\d+/.exec(device.sourceDetail)?.[0]);
    return { type: 'Simulated', seed: Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32 ? seed : 0 };
  }
  if (device.model === 'Replay')
    return { type: 'Replay', file: device.sourceDetail.slice(0, 1024) || '(unnamed)' };
  return {
    type: 'Device',
    serial: device.serial.slice(0, 64),
    ...(device.firmware && { firmware: device.firmware.slice(0, 64) }),
  };
}
