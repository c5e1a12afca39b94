// Serving certificate from files, reloaded without a restart. Polls by bytes (like cert-manager's file
// source) and also watches the directory, so Kubernetes' atomic `..data` symlink swap is seen at once.
// A half-written or mismatched pair is rejected and the last good pair stays in use.

import { X509Certificate, createPrivateKey } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import tls from 'node:tls';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

export const TLS_MIN_VERSION = 'TLSv1.2';
/** TLS 1.2 suites limited to forward-secret AEAD; TLS 1.3 suites are Node's defaults (all strong). */
export const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

export interface CertPair {
  cert: Buffer;
  key: Buffer;
  serial: string;
  notAfter: Date;
}

export class CertSource {
  readonly #certFile: string;
  readonly #keyFile: string;
  readonly #log: Logger;
  readonly #metrics: Metrics | undefined;
  readonly #pollMs: number;
  #current: CertPair | undefined;
  #lastBytes = '';
  #timer: NodeJS.Timeout | undefined;
  #watchers: FSWatcher[] = [];
  #listeners: Array<(pair: CertPair) => void> = [];
  #loading: Promise<boolean> | undefined;

  constructor(certFile: string, keyFile: string, opts: { log: Logger; metrics?: Metrics; pollMs?: number }) {
    this.#certFile = certFile;
    this.#keyFile = keyFile;
    this.#log = opts.log;
    this.#metrics = opts.metrics;
    this.#pollMs = opts.pollMs ?? 10_000;
  }

  get current(): CertPair | undefined {
    return this.#current;
  }

  onChange(listener: (pair: CertPair) => void): void {
    this.#listeners.push(listener);
  }

  /** Reads both files; swaps in the pair only if its bytes changed and it is a valid, matching pair. */
  reload(): Promise<boolean> {
    // Serialise: a watch event and a poll tick arriving together read the files once.
    this.#loading ??= this.#reload().finally(() => (this.#loading = undefined));
    return this.#loading;
  }

  async #reload(): Promise<boolean> {
    let cert: Buffer;
    let key: Buffer;
    try {
      [cert, key] = await Promise.all([readFile(this.#certFile), readFile(this.#keyFile)]);
    } catch (err) {
      return this.#reject(`cannot read certificate files: ${(err as Error).message}`);
    }
    const bytes = cert.toString('base64') + '|' + key.toString('base64');
    if (bytes === this.#lastBytes) return false;
    try {
      const x509 = new X509Certificate(cert);
      const privateKey = createPrivateKey(key);
      if (!x509.checkPrivateKey(privateKey)) throw new Error('the private key does not match the certificate');
      tls.createSecureContext({ cert, key }); // proves OpenSSL accepts the pair before we serve it
      this.#lastBytes = bytes;
      this.#current = { cert, key, serial: x509.serialNumber, notAfter: new Date(x509.validTo) };
    } catch (err) {
      // Remember the bad bytes too, so a broken pair is reported once, not on every poll.
      this.#lastBytes = bytes;
      return this.#reject(`rejected certificate pair: ${(err as Error).message}`);
    }
    this.#metrics?.tlsReloads.inc();
    this.#metrics?.tlsNotAfter.set(this.#current.notAfter.getTime() / 1000);
    this.#log.info({ event: 'tls.loaded', serial: this.#current.serial, notAfter: this.#current.notAfter.toISOString() }, 'serving certificate loaded');
    for (const l of this.#listeners) l(this.#current);
    return true;
  }

  #reject(reason: string): false {
    this.#metrics?.tlsReloadErrors.inc();
    this.#log.error({ event: 'tls.reload_failed', certFile: this.#certFile, keyFile: this.#keyFile, keepingSerial: this.#current?.serial }, reason);
    return false;
  }

  start(): void {
    this.#timer = setInterval(() => void this.reload(), this.#pollMs);
    this.#timer.unref();
    for (const dir of new Set([dirname(this.#certFile), dirname(this.#keyFile)])) {
      try {
        // Debounced: a symlink swap fires several events in a burst.
        let pending: NodeJS.Timeout | undefined;
        const w = watch(dir, () => {
          clearTimeout(pending);
          pending = setTimeout(() => void this.reload(), 100);
          pending.unref();
        });
        w.on('error', () => w.close());
        w.unref();
        this.#watchers.push(w);
      } catch {
        // Polling alone still picks up changes.
      }
    }
  }

  stop(): void {
    clearInterval(this.#timer);
    for (const w of this.#watchers) w.close();
    this.#watchers = [];
  }
}
