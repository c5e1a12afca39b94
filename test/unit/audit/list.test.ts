// Paginated listing and its fault handling, driven through a page function over plain data (the real
// apiserver path is in test/e2e/audit.test.ts): continue tokens, version fallback, expired tokens,
// retries with backoff for 429/5xx/timeouts, and problems instead of exceptions.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { listAll, type ListPage, type ListProblem } from '../../../src/audit/list.ts';
import { backoffMs, classifyApiError, withRetry } from '../../../src/audit/retry.ts';
import type { KindSpec } from '../../../src/engine/rule.ts';
import type { KObject } from '../../../src/engine/types.ts';
import { buildRegistry } from '../../../src/rules/index.ts';

const registry = buildRegistry();
const spec = (kind: string) => registry.kinds.find((k) => k.kind === kind) as KindSpec<unknown>;
const apiError = (code: number, headers: Record<string, string> = {}) => Object.assign(new Error(`HTTP-Code: ${code}\nMessage: nope\nBody: {}`), { code, headers, body: JSON.stringify({ message: `status ${code} from the apiserver` }) });
const obj = (i: number, extra: Record<string, unknown> = {}): KObject => ({
  metadata: { name: `o${i}`, namespace: 'ns', uid: `uid-${i}`, managedFields: [{ manager: 'kubectl' }], annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"big":true}', keep: 'me' }, ...extra },
  spec: { i },
});
const noSleep = { sleep: async () => {}, random: () => 0.5 };

/** Pages of `per` items from `items`, with tokens "p<index>"; `fail` may throw for a given call number. */
function pager(items: KObject[], per: number, fail?: (call: number, apiVersion: string, token?: string) => unknown): ListPage & { calls: Array<{ apiVersion: string; limit: number; token?: string }> } {
  const calls: Array<{ apiVersion: string; limit: number; token?: string }> = [];
  const fn = (async ({ apiVersion, limit, continueToken: token }: Parameters<ListPage>[0]) => {
    calls.push({ apiVersion, limit, ...(token ? { token } : {}) });
    const e = fail?.(calls.length, apiVersion, token);
    if (e) throw e;
    const start = token ? Number(token.slice(1)) : 0;
    const next = start + per < items.length ? `p${start + per}` : undefined;
    // As the apiserver sends it: metadata.continue.
    return { items: items.slice(start, start + per), metadata: next ? { continue: next } : {} };
  }) as ListPage & { calls: typeof calls };
  fn.calls = calls;
  return fn;
}

async function collect(list: ListPage, kind: string, extra: Partial<Parameters<typeof listAll>[2]> = {}) {
  const problems: ListProblem[] = [];
  const out: KObject[] = [];
  for await (const o of listAll(list, spec(kind), { pageSize: 2, problems, retry: noSleep, ...extra })) out.push(o);
  return { out, problems };
}

describe('listAll', () => {
  test('follows continue tokens with the page size as limit; fills apiVersion/kind; drops managedFields and last-applied', async () => {
    const list = pager([obj(1), obj(2), obj(3), obj(4), obj(5)], 2);
    const { out, problems } = await collect(list, 'ServiceMeshPeer');
    assert.deepEqual(problems, []);
    assert.deepEqual(out.map((o) => o.metadata?.name), ['o1', 'o2', 'o3', 'o4', 'o5']);
    assert.deepEqual(list.calls, [
      { apiVersion: 'federation.maistra.io/v1', limit: 2 },
      { apiVersion: 'federation.maistra.io/v1', limit: 2, token: 'p2' },
      { apiVersion: 'federation.maistra.io/v1', limit: 2, token: 'p4' },
    ]);
    const o = out[0] as KObject;
    assert.equal(o.apiVersion, 'federation.maistra.io/v1');
    assert.equal(o.kind, 'ServiceMeshPeer');
    assert.equal('managedFields' in (o.metadata ?? {}), false);
    assert.deepEqual(o.metadata?.annotations, { keep: 'me' });
    assert.deepEqual(o.spec, { i: 1 });
  });

  test('objects being deleted are skipped', async () => {
    const { out } = await collect(pager([obj(1), obj(2, { deletionTimestamp: '2026-01-01T00:00:00Z' })], 5), 'ServiceMeshPeer');
    assert.deepEqual(out.map((o) => o.metadata?.name), ['o1']);
  });

  test('404 on the first version: the next served version is listed; 404 on all: empty and no problem', async () => {
    const list = pager([obj(1)], 5, (_n, apiVersion) => (apiVersion === 'networking.istio.io/v1' ? apiError(404) : undefined));
    const { out, problems } = await collect(list, 'DestinationRule');
    assert.deepEqual(out.map((o) => o.apiVersion), ['networking.istio.io/v1beta1']);
    assert.deepEqual(problems, []);
    const none = await collect(pager([obj(1)], 5, () => apiError(404)), 'DestinationRule');
    assert.deepEqual(none, { out: [], problems: [] });
  });

  test('429 and 503 are retried (honouring Retry-After), then the listing goes on', async () => {
    const slept: number[] = [];
    const list = pager([obj(1), obj(2), obj(3)], 2, (n) => (n === 2 ? apiError(429, { 'Retry-After': '3' }) : n === 3 ? apiError(503) : undefined));
    const errors: string[] = [];
    const { out, problems } = await collect(list, 'ServiceMeshPeer', {
      retry: { sleep: async (ms: number) => void slept.push(ms), random: () => 0.5 },
      onApiError: (info, kind, willRetry) => errors.push(`${kind}:${info.label}:${willRetry}`),
    });
    assert.deepEqual(out.map((o) => o.metadata?.name), ['o1', 'o2', 'o3']);
    assert.deepEqual(problems, []);
    assert.deepEqual(errors, ['ServiceMeshPeer:429:true', 'ServiceMeshPeer:503:true']);
    assert.equal(slept[0], 3000, 'Retry-After: 3 → 3 s');
    assert.equal(list.calls[2]?.token, 'p2', 'the retried page is the same page');
  });

  test('a transient error that persists becomes a problem after the attempts run out', async () => {
    const list = pager([obj(1)], 2, () => apiError(500));
    const { out, problems } = await collect(list, 'ServiceMeshPeer', { retry: { ...noSleep, attempts: 3 } });
    assert.deepEqual(out, []);
    assert.equal(list.calls.length, 3);
    assert.deepEqual(problems, [{ kind: 'ServiceMeshPeer', status: 500, message: 'status 500 from the apiserver' }]);
  });

  test('403 is not retried: one call, one problem with the status', async () => {
    const list = pager([obj(1)], 2, () => apiError(403));
    const { problems } = await collect(list, 'ServiceMeshPeer');
    assert.equal(list.calls.length, 1);
    assert.equal(problems[0]?.status, 403);
  });

  test('timeouts are transient', async () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError', code: 23 });
    assert.deepEqual(classifyApiError(timeout), { label: 'timeout', transient: true, message: 'The operation was aborted due to timeout' });
    const list = pager([obj(1)], 2, (n) => (n === 1 ? timeout : undefined));
    const { out, problems } = await collect(list, 'ServiceMeshPeer');
    assert.equal(out.length, 1);
    assert.deepEqual(problems, []);
  });

  test('an expired continue token (410) restarts the kind once; objects already yielded are not repeated', async () => {
    let expired = false;
    const list = pager([obj(1), obj(2), obj(3), obj(4)], 2, (_n, _v, token) => {
      if (token === 'p2' && !expired) {
        expired = true;
        return apiError(410);
      }
      return undefined;
    });
    const { out, problems } = await collect(list, 'ServiceMeshPeer');
    assert.deepEqual(out.map((o) => o.metadata?.name), ['o1', 'o2', 'o3', 'o4']);
    assert.deepEqual(problems, []);
    assert.deepEqual(list.calls.map((c) => c.token ?? '-'), ['-', 'p2', '-', 'p2']);
  });

  test('an aborted signal stops between pages and records why', async () => {
    const ac = new AbortController();
    ac.abort();
    const { out, problems } = await collect(pager([obj(1)], 2), 'ServiceMeshPeer', { signal: ac.signal });
    assert.deepEqual(out, []);
    assert.deepEqual(problems, [{ kind: 'ServiceMeshPeer', message: 'scan aborted' }]);
  });
});

describe('retry', () => {
  test('backoff doubles from the base, is capped, and jitters within its upper half', () => {
    assert.equal(backoffMs(1, 500, 10_000, () => 1), 500);
    assert.equal(backoffMs(3, 500, 10_000, () => 1), 2000);
    assert.equal(backoffMs(10, 500, 10_000, () => 1), 10_000);
    assert.equal(backoffMs(3, 500, 10_000, () => 0), 1000);
  });

  test('errors that are an answer (expected) are thrown at once and not reported', async () => {
    let calls = 0;
    const reported: string[] = [];
    await assert.rejects(
      withRetry(
        async () => {
          calls++;
          throw apiError(404);
        },
        { attempts: 5, baseMs: 1, maxMs: 1, expected: (i) => i.status === 404, onError: (i) => reported.push(i.label) },
      ),
    );
    assert.equal(calls, 1);
    assert.deepEqual(reported, []);
  });

  test('status, message and Retry-After are read from client-node errors; connection errors name their cause', () => {
    const info = classifyApiError(apiError(429, { 'retry-after': '2' }));
    assert.deepEqual(info, { status: 429, label: '429', transient: true, retryAfterMs: 2000, message: 'status 429 from the apiserver' });
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    assert.deepEqual(classifyApiError(refused), { label: 'network', transient: true, message: 'fetch failed (ECONNREFUSED)' });
    assert.equal(classifyApiError(apiError(422)).transient, false);
  });
});
