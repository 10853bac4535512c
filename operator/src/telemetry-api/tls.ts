// The serving certificate, re-read while serving: a renewed Secret (cert-manager or any other writer) is
// what new TLS connections get, without a restart. Open connections keep their session.
import { readFile } from 'node:fs/promises';
import type { Server } from 'node:https';
import { type Clock, systemClock, type Timer } from '@roast-operator/clock';
import type { Logger } from '@roast-operator/log';

/** The same files the link gateway serves (--tls-cert, --tls-key). */
export interface ServingFiles {
  certFile: string;
  keyFile: string;
  /** How often the files are checked for a renewal (default 60 s). */
  refreshMs?: number;
}

export interface KeyPair {
  cert: string;
  key: string;
}

export async function readKeyPair(files: ServingFiles): Promise<KeyPair> {
  const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  return { cert, key };
}

/**
 * Checks the files every `refreshMs` and swaps the server's certificate when they changed; returns the stop
 * function. A pair that cannot be read or does not match (a renewal caught half-written) keeps the old one
 * until the next check.
 */
export function reloadKeyPair(
  server: Server,
  files: ServingFiles,
  first: KeyPair,
  log: Logger,
  clock: Clock = systemClock,
): () => void {
  let current = first;
  const check = async () => {
    try {
      const next = await readKeyPair(files);
      if (next.cert === current.cert && next.key === current.key) return;
      server.setSecureContext(next);
      current = next;
      log.info('serving a renewed certificate', { certFile: files.certFile });
    } catch (err) {
      log.warn('could not load the serving certificate; keeping the previous one', { err });
    }
  };
  let timer: Timer;
  const arm = () => {
    timer = clock.setTimer(() => {
      arm();
      void check();
    }, files.refreshMs ?? 60_000);
  };
  arm();
  return () => timer.cancel();
}
