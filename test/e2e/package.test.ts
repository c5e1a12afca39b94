// What the Dockerfile does, proven without a Docker engine: build, pack, install the tarball with
// --omit=dev into a clean folder, and serve from the compiled JavaScript with plain node.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeCerts } from '../helpers/certs.ts';
import { badPvl, review } from '../helpers/reviews.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const npm = (args: string[], cwd: string) => execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_update_notifier: 'false' } });

test('the packed tarball installs with --omit=dev into a clean folder and serves', { timeout: 10 * 60_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'meshguard-pack-'));
  npm(['pack', '--pack-destination', work, '--silent'], ROOT);
  const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack produced a tarball');
  const app = join(work, 'app');
  execFileSync('mkdir', ['-p', app]);
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'runtime', private: true }));
  npm(['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts', join(work, tarball)], app);
  const pkg = join(app, 'node_modules', 'meshguard');
  assert.ok(!existsSync(join(app, 'node_modules', 'typescript')), 'no dev dependencies at runtime');
  assert.ok(!existsSync(join(pkg, 'src')), 'only compiled code ships');

  const certs = makeCerts();
  const child = spawn(process.execPath, [join(pkg, 'dist/src/cli/main.js'), 'serve', '--port', '0', '--health-port', '0', '--host', '127.0.0.1'], {
    cwd: app,
    env: { ...process.env, MESHGUARD_TLS_CERT: certs.cert, MESHGUARD_TLS_KEY: certs.key, NODE_OPTIONS: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  let err = '';
  child.stderr.on('data', (d) => (err += d));
  const started = await new Promise<{ admissionPort: number; healthPort: number }>((resolve, reject) => {
    child.stdout.on('data', () => {
      const line = out.split('\n').find((l) => l.includes('"server.started"'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${err}`)));
  });
  try {
    const ready = await fetch(`http://127.0.0.1:${started.healthPort}/readyz`);
    assert.equal(ready.status, 200);
    const { request } = await import('node:https');
    const body = JSON.stringify(review(badPvl, { uid: 'packed-1' }));
    const answer = await new Promise<string>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: started.admissionPort, path: '/validate', method: 'POST', ca: certs.caPem, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
        let s = '';
        res.on('data', (d) => (s += d));
        res.on('end', () => resolve(s));
      });
      req.on('error', reject);
      req.end(body);
    });
    const parsed = JSON.parse(answer);
    assert.equal(parsed.response.uid, 'packed-1');
    assert.equal(parsed.response.allowed, false);
  } finally {
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    assert.equal(code, 0);
  }
});
