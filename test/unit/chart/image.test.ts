// The container image, without a Docker engine (none runs here): the Dockerfile's promises are read
// from the file, and its steps are replayed in a clean folder — compile, reinstall with --omit=dev,
// keep only what the runtime stage copies — and the result must serve admission over TLS, as the
// chart configures it, and stop cleanly on SIGTERM.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { makeCerts } from '../../helpers/certs.ts';
import { badPvl, review } from '../../helpers/reviews.ts';
import { render, REPO } from './helm.ts';
import { envOf, podSpec } from './model.ts';

interface Stage {
  from: string;
  name?: string;
  lines: string[];
}

/** Dockerfile instructions by stage (comments dropped, continuations joined). */
function stages(text: string): Stage[] {
  const out: Stage[] = [];
  const joined = text.replace(/\\\n\s*/g, ' ');
  for (const raw of joined.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const from = /^FROM\s+(\S+)(?:\s+AS\s+(\S+))?/i.exec(line);
    if (from) out.push({ from: from[1] as string, ...(from[2] ? { name: from[2] } : {}), lines: [] });
    else out.at(-1)?.lines.push(line);
  }
  return out;
}

const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const [build, runtime, ...extra] = stages(dockerfile);

/** The runtime stage's ENV (KEY=value or KEY="value with spaces"), as the container starts with it. */
function runtimeEnv(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of runtime?.lines.filter((l) => l.startsWith('ENV ')) ?? []) {
    for (const m of line.slice(4).matchAll(/(\w+)=(?:"([^"]*)"|(\S+))/g)) out[m[1] as string] = m[2] ?? m[3] ?? '';
  }
  return out;
}

describe('Dockerfile', () => {
  test('two stages, every base image pinned by digest', () => {
    assert.ok(build && runtime && extra.length === 0, 'exactly a build and a runtime stage');
    for (const s of [build, runtime]) assert.match(s.from, /@sha256:[a-f0-9]{64}$/, `${s.from} is not pinned by digest`);
    assert.match(build.from, /^node:24[-.]/, 'build on Node 24');
    assert.match(runtime.from, /^gcr\.io\/distroless\/nodejs24-/, 'distroless Node 24 at runtime');
  });

  test('build stage: npm ci, compile, then npm ci --omit=dev', () => {
    const runs = build?.lines.filter((l) => l.startsWith('RUN ')).map((l) => l.slice(4)) ?? [];
    const at = (re: RegExp) => runs.findIndex((r) => re.test(r));
    const ci = at(/^npm ci(?!.*--omit=dev)/);
    const compile = at(/^npm run build\b/);
    const prune = at(/^npm ci .*--omit=dev/);
    assert.ok(ci >= 0 && compile > ci && prune > compile, `order of RUN steps: ${JSON.stringify(runs)}`);
  });

  test('runtime stage: only package.json, node_modules and dist/src; USER 65532; node directly, exec form', () => {
    const lines = runtime?.lines ?? [];
    assert.deepEqual(lines.filter((l) => /^RUN\b/.test(l)), [], 'no RUN: distroless has no shell');
    const copies = lines.filter((l) => l.startsWith('COPY ')).map((l) => l.split(/\s+/).filter((w) => !w.startsWith('--'))[1]);
    assert.deepEqual(copies, ['/src/package.json', '/src/node_modules', '/src/dist/src']);
    assert.ok(lines.every((l) => !l.startsWith('COPY ') || l.includes('--from=build')), 'everything comes from the build stage');
    assert.ok(lines.includes('USER 65532:65532') || lines.includes('USER 65532'));
    assert.ok(!lines.some((l) => /\bnpm\b/.test(l) && /^(CMD|ENTRYPOINT)/.test(l)), 'no npm at runtime');
    assert.ok(lines.includes('ENTRYPOINT ["/nodejs/bin/node"]'));
    assert.ok(lines.includes('CMD ["dist/src/cli/main.js", "serve"]'));
    assert.equal(runtimeEnv().NODE_ENV, 'production');
    // Node refuses to start on a NODE_OPTIONS entry it does not allow there: the replay below starts with these.
    assert.match(runtimeEnv().NODE_OPTIONS ?? '', /--max-semi-space-size=\d+/);
    // the chart runs the same thing: image entrypoint + these args
    assert.deepEqual(podSpec(render()).containers[0]?.args, ['dist/src/cli/main.js', 'serve']);
  });

  test('.dockerignore admits what the build stage copies, and not node_modules, dist or .git', () => {
    const allowed = readFileSync(join(REPO, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1).replace(/\/(\*\*)?$/, ''));
    const sources = (build?.lines ?? []).filter((l) => l.startsWith('COPY ') && !l.includes('--from')).flatMap((l) => l.split(/\s+/).slice(1, -1));
    for (const s of sources) assert.ok(allowed.includes(s.replace(/\/$/, '')), `${s} is copied but excluded from the build context`);
    for (const never of ['node_modules', 'dist', '.git']) assert.ok(!allowed.includes(never), never);
  });
});

describe('the image steps, replayed outside Docker', () => {
  const work = mkdtempSync(join(tmpdir(), 'meshguard-image-'));
  after(() => rmSync(work, { recursive: true, force: true }));
  const ctx = join(work, 'ctx');
  const app = join(work, 'app');
  const node = join(REPO, 'node_modules', '.bin', 'node');

  test('compile in a context holding only the .dockerignore allow-list, then npm ci --omit=dev', { timeout: 300_000 }, () => {
    mkdirSync(ctx);
    for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src']) cpSync(join(REPO, f), join(ctx, f), { recursive: true });
    // `npm ci` of the full lockfile is what the repo's node_modules already is: link it for the compile.
    symlinkSync(join(REPO, 'node_modules'), join(ctx, 'node_modules'), 'dir');
    const tsc = spawnSync(node, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'], { cwd: ctx, encoding: 'utf8' });
    assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);
    unlinkSync(join(ctx, 'node_modules'));
    assert.ok(existsSync(join(ctx, 'dist', 'src', 'cli', 'main.js')));
    const ci = spawnSync('npm', ['ci', '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: ctx, encoding: 'utf8' });
    assert.equal(ci.status, 0, `npm ci --omit=dev failed:\n${ci.stderr}`);
    const installed = readdirSync(join(ctx, 'node_modules'));
    for (const dev of ['typescript', 'eslint', 'supertest', 'fast-check', 'typescript-eslint', 'node']) assert.ok(!installed.includes(dev), `${dev} installed with --omit=dev`);
    // the runtime stage: only these three
    mkdirSync(join(app, 'dist'), { recursive: true });
    cpSync(join(ctx, 'package.json'), join(app, 'package.json'));
    cpSync(join(ctx, 'node_modules'), join(app, 'node_modules'), { recursive: true });
    cpSync(join(ctx, 'dist', 'src'), join(app, 'dist', 'src'), { recursive: true });
  });

  test('serves admission with the chart\'s environment and stops on SIGTERM', { timeout: 60_000 }, async () => {
    assert.ok(existsSync(join(app, 'dist', 'src', 'cli', 'main.js')), 'the previous step built the image folder');
    const certs = makeCerts();
    const chartEnv = envOf(podSpec(render()).containers[0] ?? { name: '', image: '' });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      ...(Object.fromEntries(Object.entries(chartEnv).filter((e): e is [string, string] => e[1] !== undefined)) as Record<string, string>),
      // loopback and free ports instead of the pod's; TLS files from a throwaway CA; no config file
      MESHGUARD_TLS_CERT: certs.cert,
      MESHGUARD_TLS_KEY: certs.key,
      MESHGUARD_PORT: '0',
      MESHGUARD_HEALTH_PORT: '0',
      MESHGUARD_HOST: '127.0.0.1',
      MESHGUARD_AUDIT_INTERVAL: '0',
      ...runtimeEnv(),
    };
    delete env.MESHGUARD_CONFIG;
    const child = spawn(node, ['dist/src/cli/main.js', 'serve'], { cwd: app, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const started = await waitFor(() => {
        const line = out.split('\n').find((l) => l.includes('"server.started"'));
        return line ? (JSON.parse(line) as { admissionPort: number; healthPort: number }) : undefined;
      }, 20_000, () => `server did not start:\n${out}`);
      const health = await fetch(`http://127.0.0.1:${started.healthPort}/healthz`);
      assert.equal(health.status, 200);
      const body = JSON.stringify(review(badPvl, { namespace: 'team-a', uid: 'image-test' }));
      const res = await post(started.admissionPort, '/validate/enforce', body, certs.caPem);
      assert.equal(res.status, 200);
      const answer = JSON.parse(res.body) as { response: { uid: string; allowed: boolean; status?: { message?: string } } };
      assert.equal(answer.response.uid, 'image-test');
      assert.equal(answer.response.allowed, false);
      assert.match(answer.response.status?.message ?? '', /\[asm-pvl\//);
      child.kill('SIGTERM');
      assert.equal(await Promise.race([exited, sleep(15_000).then(() => 'timeout')]), 0, `no clean exit on SIGTERM:\n${out}`);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(certs.dir, { recursive: true, force: true });
    }
  });
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitFor<T>(probe: () => T | undefined, ms: number, why: () => string): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(why());
    await sleep(100);
  }
}

function post(port: number, path: string, body: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, servername: 'localhost', headers: { 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
