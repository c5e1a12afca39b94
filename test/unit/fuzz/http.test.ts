// Fuzzing the HTTP path: the real express app (createAdmissionApp) on a loopback listener, driven by a
// keep-alive client with generated bodies: reviews of every served kind, broken envelopes, truncated JSON,
// random bytes, odd content types, 10k-deep nesting, huge arrays, bodies over the limit, `__proto__` keys.
// Property: HTTP 200 with a well-formed AdmissionReview echoing the uid, or a 4xx with a JSON {error};
// never a 5xx, never a dropped connection, and the server still answers afterwards.

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { DEFAULT_CONFIG } from '../../../src/config/config.ts';
import { createAdmissionApp, DEFAULT_BODY_LIMIT } from '../../../src/server/app.ts';
import { createMetrics } from '../../../src/server/metrics.ts';
import { memoryLogger } from '../../helpers/log.ts';
import { brokenEnvelope, kinds, registry, reviewOf, runs, SEED, topology } from './arbitraries.ts';
import { checkPatch, checkReview } from './properties.ts';

const BODY_LIMIT = DEFAULT_BODY_LIMIT;
let server: http.Server;
let agent: http.Agent;
let port: number;
const { log } = memoryLogger('silent');

before(async () => {
  const app = createAdmissionApp({
    registry,
    mode: () => 'enforce',
    state: () => ({ explainMutations: DEFAULT_CONFIG.explainMutations, maxWarnings: DEFAULT_CONFIG.maxWarnings, clusterDomain: DEFAULT_CONFIG.clusterDomain, topology }),
    log,
    metrics: createMetrics({ defaultMetrics: false }),
    bodyLimit: BODY_LIMIT,
  });
  server = http.createServer(app);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
});

after(async () => {
  agent.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

interface Answer {
  status: number;
  body: string;
}

function post(path: string, body: Buffer | string, contentType: string | null = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { 'content-length': Buffer.byteLength(body) };
    if (contentType !== null) headers['content-type'] = contentType;
    const req = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** 200 with a proper review for `uid` (when known), or a 4xx carrying {"error": "..."}; never anything else. */
function checkAnswer(a: Answer, expect: { uid?: string; webhook: 'validate' | 'mutate'; original?: unknown; allow4xx: boolean }): 'answered' | 'rejected' {
  assert.ok(a.status < 500, `HTTP ${a.status}: ${a.body.slice(0, 300)}`);
  const parsed = JSON.parse(a.body) as Record<string, unknown>;
  if (a.status === 200) {
    const uid = expect.uid ?? String((parsed.response as { uid?: unknown } | undefined)?.uid);
    const { patch } = checkReview(parsed, uid, expect.webhook);
    if (patch.length > 0 && expect.original !== undefined) checkPatch(expect.original, patch);
    return 'answered';
  }
  assert.ok(expect.allow4xx, `a well-formed review got HTTP ${a.status}: ${a.body.slice(0, 300)}`);
  assert.ok(a.status >= 400 && a.status < 500, `HTTP ${a.status}`);
  assert.equal(typeof parsed.error, 'string', 'a 4xx names the problem in {error}');
  assert.ok((parsed.error as string).length > 0);
  return 'rejected';
}

const webhook = fc.constantFrom(['/validate', 'validate'] as const, ['/mutate', 'mutate'] as const, ['/validate/warn', 'validate'] as const, ['/validate/audit', 'validate'] as const);

function tally(): Record<string, number> {
  return {};
}
function bump(t: Record<string, number>, k: string): void {
  t[k] = (t[k] ?? 0) + 1;
}

describe('fuzz: the admission app over HTTP', () => {
  test('well-formed reviews of every served kind → HTTP 200 and a proper answer', async (t) => {
    const counts = tally();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...kinds).chain((k) => reviewOf(k)), webhook, async (g, [path, wh]) => {
        bump(counts, 'inputs');
        const a = await post(path, JSON.stringify(g.body));
        bump(counts, checkAnswer(a, { uid: g.uid, webhook: wh, original: (g.body.request as { object?: unknown }).object, allow4xx: false }));
      }),
      { seed: SEED + 400, numRuns: runs(2500) },
    );
    t.diagnostic(`reviews over HTTP: ${JSON.stringify(counts)} (seed ${SEED + 400})`);
  });

  test('broken envelopes, truncated JSON and random bytes → a proper answer or a 4xx with {error}', async (t) => {
    const counts = tally();
    const body = fc.oneof(
      brokenEnvelope.map((b) => ({ what: 'envelope', text: Buffer.from(JSON.stringify(b) ?? 'null') })),
      fc
        .tuple(fc.constantFrom(...kinds).chain((k) => reviewOf(k)), fc.double({ min: 0, max: 1, noNaN: true }))
        .map(([g, f]) => {
          const text = JSON.stringify(g.body);
          return { what: 'truncated', text: Buffer.from(text.slice(0, Math.floor(text.length * f))) };
        }),
      fc.uint8Array({ maxLength: 512 }).map((b) => ({ what: 'bytes', text: Buffer.from(b) })),
      fc.string({ maxLength: 200 }).map((s) => ({ what: 'text', text: Buffer.from(s) })),
    );
    await fc.assert(
      fc.asyncProperty(body, webhook, async (b, [path, wh]) => {
        bump(counts, 'inputs');
        bump(counts, b.what);
        bump(counts, checkAnswer(await post(path, b.text), { webhook: wh, allow4xx: true }));
      }),
      { seed: SEED + 401, numRuns: runs(2500) },
    );
    t.diagnostic(`malformed bodies over HTTP: ${JSON.stringify(counts)} (seed ${SEED + 401})`);
    assert.ok((counts.rejected ?? 0) > 0 && (counts.answered ?? 0) > 0);
  });

  test('content types other than JSON → 415, whatever the body', async (t) => {
    let inputs = 0;
    const good = JSON.stringify((fc.sample(reviewOf(kinds[0]!), { numRuns: 1, seed: SEED })[0] as { body: unknown }).body);
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'application/yaml', 'multipart/form-data; boundary=x', 'application/octet-stream'), fc.stringMatching(/^[a-z]{1,10}\/[a-z]{1,10}$/).filter((s) => !/json$/.test(s))),
        async (ct) => {
          inputs++;
          const a = await post('/validate', good, ct);
          assert.equal(a.status, 415, `${ct}: HTTP ${a.status}`);
          assert.match((JSON.parse(a.body) as { error: string }).error, /content type must be application\/json/);
        },
      ),
      { seed: SEED + 402, numRuns: runs(300) },
    );
    const noType = await post('/validate', good, null);
    assert.equal(noType.status, 415, `no content type: HTTP ${noType.status} ${noType.body.slice(0, 200)}`);
    for (const ct of ['application/json; charset=utf-8', 'application/vnd.kubernetes+json']) assert.equal((await post('/validate', good, ct)).status, 200, ct);
    t.diagnostic(`content types: ${inputs + 3} inputs`);
  });

  test('deep nesting (10k and 100k levels), huge arrays, bodies over the limit, __proto__ envelopes', async (t) => {
    const sample = (fc.sample(reviewOf(kinds.find((k) => k.kind === 'ServiceMeshPeer')!), { numRuns: 1, seed: SEED })[0] as { body: Record<string, unknown> }).body;
    const envelope = (object: string) =>
      `{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"edge","kind":{"group":"federation.maistra.io","version":"v1","kind":"ServiceMeshPeer"},"operation":"CREATE","object":${object}}}`;
    const deepObj = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    const deepArr = (n: number) => '['.repeat(n) + ']'.repeat(n);
    const peer = (spec: string) => `{"apiVersion":"federation.maistra.io/v1","kind":"ServiceMeshPeer","metadata":{"name":"x","namespace":"red-mesh-system"},"spec":${spec}}`;
    const cases: Array<[string, string, boolean]> = [
      ['10k-deep object as the body', deepObj(10_000), true],
      ['100k-deep object as the body', deepObj(100_000), true],
      ['100k-deep array as the body', deepArr(100_000), true],
      ['10k-deep object as request.object', envelope(deepObj(10_000)), true],
      ['10k-deep spec of a served kind', envelope(peer(deepObj(10_000))), false],
      ['1k-deep spec of a served kind', envelope(peer(`{"remote":${deepObj(1_000)}}`)), false],
      ['100k-element array in spec.remote.addresses', envelope(peer(`{"remote":{"addresses":${JSON.stringify(Array.from({ length: 100_000 }, (_, i) => `h${i}.x`))}}}`)), false],
      ['200k-element array of numbers as the body', JSON.stringify(Array.from({ length: 200_000 }, (_, i) => i)), true],
      ['body one byte over the limit', JSON.stringify({ ...sample, pad: 'x'.repeat(BODY_LIMIT) }), true],
      ['__proto__ at the top of the envelope', `{"__proto__":{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"},"request":${JSON.stringify(sample.request)}}`, true],
      ['__proto__ inside request', JSON.stringify(sample).replace('"request":{', '"request":{"__proto__":{"uid":"polluted"},'), false],
      ['constructor.prototype in object', envelope(peer('{"constructor":{"prototype":{"polluted":1}},"remote":{"addresses":["a.b.c"]}}')), false],
    ];
    const seen: string[] = [];
    for (const [name, text, allow4xx] of cases) {
      for (const [path, wh] of [['/validate', 'validate'], ['/mutate', 'mutate']] as const) {
        const a = await post(path, text);
        const outcome = checkAnswer(a, { webhook: wh, allow4xx });
        if (name.includes('over the limit')) assert.equal(a.status, 413);
        seen.push(`${name} ${path}: HTTP ${a.status}${outcome === 'rejected' ? ` ${(JSON.parse(a.body) as { error: string }).error.slice(0, 90)}` : ''}`);
      }
    }
    for (const s of seen) t.diagnostic(s);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    t.diagnostic(`edge cases: ${seen.length} inputs`);
  });

  test('the server still answers normally after all of the above', async () => {
    const g = fc.sample(reviewOf(kinds[0]!), { numRuns: 1, seed: SEED + 1 })[0]!;
    const a = await post('/validate', JSON.stringify(g.body));
    assert.equal(a.status, 200);
    checkReview(JSON.parse(a.body), g.uid, 'validate');
  });
});
