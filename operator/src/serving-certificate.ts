// The serving certificate of the link gateway and the telemetry read API (the same --tls-cert and
// --tls-key), re-read on the clock: a renewed Secret (cert-manager or any other writer) is what new TLS
// connections get, without a restart; open connections keep their session. One reader serves both: the
// read API swaps its HTTPS server's context, the gateway hands grpc-js the pair as its identity provider.
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import type { experimental } from '@grpc/grpc-js';
import { type Clock, every, systemClock, type Timer } from '@roast-operator/clock';
import type { Logger } from '@roast-operator/log';

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

/** Reads the pair; throws when it cannot be read or the key does not match the certificate. */
async function readKeyPair(files: ServingFiles): Promise<KeyPair> {
  const [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
  createSecureContext({ cert, key });
  return { cert, key };
}

type RenewalListener = (pair: KeyPair) => void;

export class ServingCertificate {
  readonly #files: ServingFiles;
  readonly #log: Logger;
  readonly #listeners = new Set<RenewalListener>();
  #current: KeyPair;
  #timer: Timer | undefined;

  private constructor(files: ServingFiles, first: KeyPair, log: Logger, clock: Clock) {
    this.#files = files;
    this.#current = first;
    this.#log = log;
    this.#timer = every(clock, files.refreshMs ?? 60_000, () => void this.#check());
  }

  /** Reads the pair (a pair that cannot be served fails the start) and checks for renewals until `stop`. */
  static async open(
    files: ServingFiles,
    log: Logger,
    clock: Clock = systemClock,
  ): Promise<ServingCertificate> {
    return new ServingCertificate(files, await readKeyPair(files), log, clock);
  }

  get current(): KeyPair {
    return this.#current;
  }

  /** Calls `listener` with every renewed pair; returns the unsubscribe. */
  onRenewal(listener: RenewalListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  stop(): void {
    this.#timer?.cancel();
    this.#timer = undefined;
  }

  /** A pair that cannot be read or does not match (a renewal caught half-written) keeps the old one. */
  async #check(): Promise<void> {
    let next: KeyPair;
    try {
      next = await readKeyPair(this.#files);
    } catch (err) {
      this.#log.warn('could not load the serving certificate; keeping the previous one', { err });
      return;
    }
    if (this.#timer === undefined) return;
    if (next.cert === this.#current.cert && next.key === this.#current.key) return;
    this.#current = next;
    this.#log.info('serving a renewed certificate', { certFile: this.#files.certFile });
    for (const listener of this.#listeners) listener(next);
  }
}

/** The certificate as grpc-js takes a server's identity: the current pair at once, then each renewal. */
export function grpcIdentity(certificate: ServingCertificate): experimental.CertificateProvider {
  type IdentityListener = Parameters<experimental.CertificateProvider['addIdentityCertificateListener']>[0];
  const unsubscribe = new Map<IdentityListener, () => void>();
  const update = ({ cert, key }: KeyPair) => ({
    certificate: Buffer.from(cert),
    privateKey: Buffer.from(key),
  });
  return {
    addIdentityCertificateListener(listener) {
      // After the call: grpc-js adds the server that waits for the identity only once this returns.
      queueMicrotask(() => listener(update(certificate.current)));
      unsubscribe.set(
        listener,
        certificate.onRenewal((pair) => listener(update(pair))),
      );
    },
    removeIdentityCertificateListener(listener) {
      unsubscribe.get(listener)?.();
      unsubscribe.delete(listener);
    },
    // The gateway asks for no client certificates: it has no CA to provide.
    addCaCertificateListener: () => undefined,
    removeCaCertificateListener: () => undefined,
  };
}
