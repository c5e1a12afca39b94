import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import tls from 'node:tls';
import { startServer, type RunningServer } from '../../../src/server/serve.ts';
import { makeCerts } from '../../helpers/certs.ts';
import { memoryLogger } from '../../helpers/log.ts';

/** Lays out certificate files the way the kubelet mounts a Secret: files → ..data → timestamped dir. */
function kubeletVolume() {
  const root = mkdtempSync(join(tmpdir(), 'meshguard-secret-'));
  let n = 0;
  const publish = (certPem: string, keyPem: string) => {
    const ts = `..2026_11_23_${++n}`;
    mkdirSync(join(root, ts));
    writeFileSync(join(root, ts, 'tls.crt'), certPem);
    writeFileSync(join(root, ts, 'tls.key'), keyPem);
    symlinkSync(ts, join(root, '..data_tmp'));
    renameSync(join(root, '..data_tmp'), join(root, '..data')); // the atomic swap
  };
  return { root, publish, cert: join(root, 'tls.crt'), key: join(root, 'tls.key') };
}

function peerSerial(port: number, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      const serial = socket.getPeerCertificate().serialNumber;
      socket.end();
      resolve(serial);
    });
    socket.on('error', reject);
  });
}

async function eventually(check: () => Promise<boolean> | boolean, ms = 5000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail('condition not met in time');
}

describe('serving certificate hot reload', () => {
  const first = makeCerts();
  const second = makeCerts();
  const vol = kubeletVolume();
  const { log, lines } = memoryLogger();
  let server: RunningServer;
  const serialOf = (pem: string) => new X509Certificate(pem).serialNumber.toUpperCase();
  const bothCAs = first.caPem + second.caPem;

  before(async () => {
    vol.publish(readFileSync(first.cert, 'utf8'), readFileSync(first.key, 'utf8'));
    symlinkSync('..data/tls.crt', vol.cert);
    symlinkSync('..data/tls.key', vol.key);
    server = await startServer({ tlsCert: vol.cert, tlsKey: vol.key, port: 0, healthPort: 0, host: '127.0.0.1', mode: 'enforce', log, certPollMs: 200 });
  });
  after(() => server.shutdown());

  test('TLS 1.2 is the floor: TLS 1.1 and 1.0 clients are refused', async () => {
    for (const v of ['TLSv1.1', 'TLSv1'] as const) {
      await assert.rejects(
        new Promise((resolve, reject) => {
          const s = tls.connect({ host: '127.0.0.1', port: server.admissionPort, ca: bothCAs, servername: 'localhost', minVersion: v, maxVersion: v }, () => resolve(s.end()));
          s.on('error', reject);
        }),
      );
    }
  });

  test('new handshakes see the new certificate after an atomic symlink swap', async () => {
    assert.equal((await peerSerial(server.admissionPort, bothCAs)).toUpperCase(), serialOf(readFileSync(first.cert, 'utf8')));
    vol.publish(readFileSync(second.cert, 'utf8'), readFileSync(second.key, 'utf8'));
    const want = serialOf(readFileSync(second.cert, 'utf8'));
    await eventually(async () => (await peerSerial(server.admissionPort, bothCAs)).toUpperCase() === want);
  });

  test('a mismatched or half-written pair is rejected, the last good one stays, the error is logged and counted', async () => {
    const good = serialOf(readFileSync(second.cert, 'utf8'));
    vol.publish(readFileSync(first.cert, 'utf8'), readFileSync(second.key, 'utf8')); // mismatched
    await eventually(() => lines.some((l) => l.event === 'tls.reload_failed' && String(l.msg).includes('does not match')));
    assert.equal((await peerSerial(server.admissionPort, bothCAs)).toUpperCase(), good);
    vol.publish(readFileSync(first.cert, 'utf8').slice(0, 200), readFileSync(first.key, 'utf8')); // half-written
    await eventually(() => lines.filter((l) => l.event === 'tls.reload_failed').length >= 2);
    assert.equal((await peerSerial(server.admissionPort, bothCAs)).toUpperCase(), good);
    assert.match(await server.metrics.registry.metrics(), /meshguard_tls_reload_errors_total [2-9]/);
  });
});

describe('readiness follows the certificate', () => {
  test('/readyz fails until a valid pair has been loaded once, then stays ready', async () => {
    const certs = makeCerts();
    const dir = mkdtempSync(join(tmpdir(), 'meshguard-late-'));
    const { log } = memoryLogger();
    const server = await startServer({ tlsCert: join(dir, 'tls.crt'), tlsKey: join(dir, 'tls.key'), port: 0, healthPort: 0, host: '127.0.0.1', mode: 'enforce', log, certPollMs: 100 });
    try {
      const ready = async () => (await fetch(`http://127.0.0.1:${server.healthPort}/readyz`)).status;
      assert.equal(await ready(), 503);
      copyFileSync(certs.cert, join(dir, 'tls.crt'));
      copyFileSync(certs.key, join(dir, 'tls.key'));
      await eventually(async () => (await ready()) === 200);
      writeFileSync(join(dir, 'tls.crt'), 'garbage');
      await new Promise((r) => setTimeout(r, 400));
      assert.equal(await ready(), 200, 'a bad pair later does not make a serving replica unready');
    } finally {
      await server.shutdown();
    }
  });
});
