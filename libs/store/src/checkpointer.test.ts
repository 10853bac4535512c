import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@roast-operator/log';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { Checkpointer } from './checkpointer.ts';

describe('the checkpointer', () => {
  it('hands checkpoints back to the writer when its thread dies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roast-checkpointer-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const errors: string[] = [];
    const log = new Logger({ level: 'error', sink: (_, line) => errors.push(line) });
    const lost = vi.fn();
    // The thread cannot open a file in a directory that does not exist, and exits.
    const checkpointer = new Checkpointer(
      { path: join(dir, 'missing', 'db'), intervalMs: 10, maxLogFrames: 1 },
      log,
      {
        pause: () => {},
        resume: () => {},
        lost,
      },
    );
    await vi.waitFor(() => expect(lost).toHaveBeenCalledOnce());
    expect(errors.map((l) => JSON.parse(l).msg)).toContain(
      'checkpointer thread exited: the writer checkpoints from now on',
    );
    await checkpointer.stop();
  });
});
