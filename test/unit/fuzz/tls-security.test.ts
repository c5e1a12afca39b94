// Transport hardening of the admission listener, against the real startServer: TLS 1.0/1.1 refused, weak
// TLS 1.2 suites refused (CBC, SHA-1, static RSA, DHE, 3DES), also after a certificate reload; slow clients
// (slowloris headers, a trickled body) cut off by the header and request timeouts.
//
// Every refusal has a control: a permissive server with the same certificate negotiates the same
// protocol/cipher with the same client settings, so a refusal is the server's doing, not the client's
// OpenSSL lacking the suite. Suites this OpenSSL cannot negotiate at all are reported and skipped.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { startServer, type RunningServer } from '../../../src/server/serve.ts';
import { makeCerts } from '../../helpers/certs.ts';
import { memoryLogger } from '../../helpers/log.ts';
import { review } from '../../helpers/reviews.ts';

interface Pair {
  cert: string;
  key: string;
}

/** A self-signed RSA pair (suites with RSA key exchange or RSA authentication need one). */
function rsaPair(): Pair {
  const dir = mkdtempSync(join(tmpdir(), 'meshguard-rsa-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
  return { cert: join(dir, 'tls.crt'), key: join(dir, 'tls.key') };
}

interface Servers {
  meshguard: RunningServer;
  /** Accepts everything this OpenSSL can do, with the same pair. */
  permissive: tls.Server;
  permissivePort: number;
  pair: Pair;
}

async function servers(pair: Pair, certPollMs?: number, timeouts: { headersTimeoutMs?: number; requestTimeoutMs?: number } = {}): Promise<Servers> {
  const { log } = memoryLogger('silent');
  const meshguard = await startServer({ tlsCert: pair.cert, tlsKey: pair.key, port: 0, healthPort: 0, host: '127.0.0.1', mode: 'enforce', log, shutdownGraceSeconds: 1, ...timeouts, ...(certPollMs ? { certPollMs } : {}) });
  const permissive = tls.createServer({ cert: readFileSync(pair.cert), key: readFileSync(pair.key), minVersion: 'TLSv1', ciphers: 'ALL:eNULL:@SECLEVEL=0', dhparam: 'auto' }, (s) => s.end());
  permissive.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => permissive.listen(0, '127.0.0.1', r));
  return { meshguard, permissive, permissivePort: (permissive.address() as AddressInfo).port, pair };
}

async function close(s: Servers | undefined): Promise<void> {
  if (!s) return;
  await s.meshguard.shutdown();
  await new Promise((r) => s.permissive.close(r));
}

type Handshake = { ok: true; protocol: string; cipher: string } | { ok: false; error: string };

function handshake(port: number, opts: tls.ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve) => {
    let socket: tls.TLSSocket;
    try {
      socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost', ...opts }, onConnect);
    } catch (err) {
      // e.g. "no cipher match": the client's OpenSSL does not have the suite at all.
      resolve({ ok: false, error: (err as Error).message });
      return;
    }
    function onConnect() {
      const result: Handshake = { ok: true, protocol: socket.getProtocol() ?? '', cipher: socket.getCipher().standardName ?? socket.getCipher().name };
      socket.destroy();
      resolve(result);
    }
    socket.setTimeout(5000, () => socket.destroy(new Error('handshake timed out')));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, error: err.code ?? err.message }));
  });
}

/** Client settings that may negotiate anything this OpenSSL supports (SECLEVEL=0 re-enables TLS 1.0/1.1 and SHA-1). */
const LEGACY = { ciphers: 'ALL:@SECLEVEL=0' };

async function refused(s: Servers, opts: tls.ConnectionOptions, what: string, t: { diagnostic: (m: string) => void }): Promise<'refused' | 'untestable'> {
  const control = await handshake(s.permissivePort, { ...LEGACY, ...opts });
  if (!control.ok) {
    t.diagnostic(`${what}: this OpenSSL cannot negotiate it even with a permissive server (${control.error}); not testable here`);
    return 'untestable';
  }
  const got = await handshake(s.meshguard.admissionPort, { ...LEGACY, ...opts });
  assert.equal(got.ok, false, `${what} was accepted by meshguard: ${JSON.stringify(got)}`);
  t.diagnostic(`${what}: refused (${got.ok ? '' : got.error}); the control negotiated ${control.protocol} ${control.cipher}`);
  return 'refused';
}

const OLD_PROTOCOLS: Array<[string, tls.SecureVersion]> = [
  ['TLS 1.0', 'TLSv1'],
  ['TLS 1.1', 'TLSv1.1'],
];

// TLS 1.2 suites meshguard must not offer (its list is ECDHE + AEAD only).
const WEAK_ECDSA = ['ECDHE-ECDSA-AES128-SHA', 'ECDHE-ECDSA-AES256-SHA', 'ECDHE-ECDSA-AES128-SHA256', 'ECDHE-ECDSA-AES256-SHA384', 'ECDHE-ECDSA-AES128-CCM8'];
const WEAK_RSA = ['AES128-SHA', 'AES256-SHA', 'DES-CBC3-SHA', 'AES128-GCM-SHA256', 'AES256-SHA256', 'ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-DES-CBC3-SHA', 'DHE-RSA-AES128-GCM-SHA256', 'DHE-RSA-AES256-SHA', 'RC4-SHA', 'NULL-SHA256'];

describe('TLS: protocol versions and cipher suites', () => {
  let ec: Servers | undefined;
  let rsa: Servers | undefined;
  before(async () => {
    const c = makeCerts();
    ec = await servers({ cert: c.cert, key: c.key }, 200);
    rsa = await servers(rsaPair());
  });
  after(async () => {
    await close(ec);
    await close(rsa);
  });

  test('a modern client gets TLS 1.3, and a TLS 1.2 client an ECDHE AEAD suite', async () => {
    for (const s of [ec!, rsa!]) {
      const v13 = await handshake(s.meshguard.admissionPort, {});
      assert.ok(v13.ok && v13.protocol === 'TLSv1.3', JSON.stringify(v13));
      const v12 = await handshake(s.meshguard.admissionPort, { maxVersion: 'TLSv1.2' });
      assert.ok(v12.ok && v12.protocol === 'TLSv1.2' && /^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_(128|256)_GCM_SHA(256|384)|CHACHA20_POLY1305_SHA256)$/.test(v12.cipher), JSON.stringify(v12));
    }
  });

  test('TLS 1.0 and 1.1 are refused (RSA and ECDSA certificates)', async (t) => {
    let checked = 0;
    for (const s of [ec!, rsa!]) {
      for (const [name, v] of OLD_PROTOCOLS) if ((await refused(s, { minVersion: v, maxVersion: v }, `${name} (${s === ec ? 'ECDSA' : 'RSA'})`, t)) === 'refused') checked++;
    }
    assert.ok(checked >= 2, 'at least one old protocol could be tested against each certificate type');
  });

  test('weak TLS 1.2 suites are refused: CBC/SHA-1, static RSA key exchange, DHE, 3DES, RC4, NULL', async (t) => {
    let checked = 0;
    for (const cipher of WEAK_ECDSA) if ((await refused(ec!, { maxVersion: 'TLSv1.2', ciphers: `${cipher}:@SECLEVEL=0` }, `${cipher} (ECDSA)`, t)) === 'refused') checked++;
    for (const cipher of WEAK_RSA) if ((await refused(rsa!, { maxVersion: 'TLSv1.2', ciphers: `${cipher}:@SECLEVEL=0` }, `${cipher} (RSA)`, t)) === 'refused') checked++;
    t.diagnostic(`${checked} weak suites refused`);
    assert.ok(checked >= 8, `only ${checked} weak suites could be tested`);
  });

  test('after a certificate reload the new context still refuses TLS 1.1 and CBC suites', async (t) => {
    const s = ec!;
    const before = await handshake(s.meshguard.admissionPort, {});
    const next = makeCerts();
    copyFileSync(next.key, s.pair.key);
    copyFileSync(next.cert, s.pair.cert);
    const deadline = Date.now() + 10_000;
    const nextPem = readFileSync(next.cert, 'utf8');
    while (s.meshguard.certs.current?.cert.toString('utf8') !== nextPem) {
      assert.ok(Date.now() < deadline, 'the new pair was not loaded within 10 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(before.ok);
    assert.equal(await refused(s, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1' }, 'TLS 1.1 after reload', t), 'refused');
    assert.equal(await refused(s, { maxVersion: 'TLSv1.2', ciphers: 'ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0' }, 'ECDHE-ECDSA-AES128-SHA after reload', t), 'refused');
  });
});

// Node enforces headersTimeout/requestTimeout from a sweep every `connectionsCheckingInterval`; the server
// sets it to 1 s, so a slow client is cut off between the timeout and timeout + 1 s. Short timeouts here
// keep the test fast; production defaults are 10 s and 15 s.
const HEADERS_TIMEOUT_MS = 2_000;
const REQUEST_TIMEOUT_MS = 3_000;
const SWEEP_MS = 1_000;

interface SlowResult {
  closedAfterMs: number;
  response: string;
  bytesSent: number;
}

/** Connects, then sends `head` and `body` one byte every `gapMs` until the server closes the connection. */
function trickle(port: number, head: string, body: string, gapMs: number, fast: 'none' | 'head'): Promise<SlowResult> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let response = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const socket = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, servername: 'localhost' }, () => {
      const rest = fast === 'head' ? (socket.write(head), body) : head + body;
      const next = () => {
        if (sent >= rest.length || socket.destroyed) return;
        socket.write(rest[sent++]!);
        timer = setTimeout(next, gapMs);
      };
      next();
    });
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (response += d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ closedAfterMs: Date.now() - started, response, bytesSent: sent });
    });
    setTimeout(() => reject(new Error('the server never closed the slow connection')), HEADERS_TIMEOUT_MS + REQUEST_TIMEOUT_MS + SWEEP_MS + 10_000).unref();
  });
}

describe('slow clients', () => {
  let s: Servers | undefined;
  before(async () => {
    const c = makeCerts();
    s = await servers({ cert: c.cert, key: c.key }, undefined, { headersTimeoutMs: HEADERS_TIMEOUT_MS, requestTimeoutMs: REQUEST_TIMEOUT_MS });
  });
  after(() => close(s));

  test('slowloris headers (1 byte / 100 ms) and a trickled body are cut off with 408 by the header and request timeouts', { timeout: 120_000 }, async (t) => {
    const body = JSON.stringify(review({ apiVersion: 'x/v1', kind: 'Unknown', metadata: { name: 'slow' } }));
    const head = `POST /validate HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nX-Pad: ${'a'.repeat(400)}\r\n\r\n`;
    // Both at once, so the test takes one sweep, not two.
    const [loris, slowBody] = await Promise.all([
      trickle(s!.meshguard.admissionPort, head, body, 100, 'none'),
      trickle(s!.meshguard.admissionPort, head, body, 100, 'head'),
    ]);
    t.diagnostic(`slowloris headers: closed after ${(loris.closedAfterMs / 1000).toFixed(1)} s, ${loris.bytesSent}/${head.length} header bytes sent; answer ${JSON.stringify(loris.response.split('\r\n')[0])}`);
    t.diagnostic(`trickled body: closed after ${(slowBody.closedAfterMs / 1000).toFixed(1)} s, ${slowBody.bytesSent}/${body.length} body bytes sent; answer ${JSON.stringify(slowBody.response.split('\r\n')[0])}`);
    assert.ok(loris.bytesSent < head.length, 'the headers were never completed');
    assert.match(loris.response, /^HTTP\/1\.1 408 /);
    assert.ok(loris.closedAfterMs >= HEADERS_TIMEOUT_MS - 500 && loris.closedAfterMs <= HEADERS_TIMEOUT_MS + SWEEP_MS + 5_000, `${loris.closedAfterMs} ms`);
    assert.ok(slowBody.bytesSent < body.length, 'the body was never completed');
    assert.match(slowBody.response, /^HTTP\/1\.1 408 /);
    assert.ok(slowBody.closedAfterMs >= REQUEST_TIMEOUT_MS - 500 && slowBody.closedAfterMs <= REQUEST_TIMEOUT_MS + SWEEP_MS + 5_000, `${slowBody.closedAfterMs} ms`);
  });
});
