// The apiserver's view: on the real control plane (test/e2e/harness) with `meshguard serve` running and
// the chart installed in url mode, a burst of creates of served kinds straight at the apiserver's REST
// API, then kube-apiserver's own histogram apiserver_admission_webhook_admission_duration_seconds for
// meshguard's webhooks (the delta over the burst), read as quantiles like PromQL's histogram_quantile.

import { readFileSync } from 'node:fs';
import https from 'node:https';
import { parse } from 'yaml';
import type { Registry } from '../../src/engine/registry.ts';
import type { KObject } from '../../src/engine/types.ts';
import { startControlPlane, type ControlPlane } from '../../test/e2e/harness/controlplane.ts';
import { installChart, startMeshguard, waitForWebhook, type Meshguard } from '../../test/e2e/harness/meshguard.ts';
import { isTopologyObject, servedExamples } from './corpus.ts';
import { summarize } from './load.ts';
import { containerNodeOptions, memoryOf } from './proc.ts';

export interface Bucketed {
  /** Cumulative counts by upper bound (seconds), +Inf last. */
  buckets: Array<[number, number]>;
  count: number;
  sum: number;
}

/** Parses `<name>_bucket{...}` / `_sum` / `_count` lines into histograms keyed by their labels minus `le`. */
export function parseHistograms(text: string, name: string, keep: (labels: Record<string, string>) => boolean): Map<string, Bucketed> {
  const out = new Map<string, Bucketed>();
  const line = new RegExp(`^${name}_(bucket|sum|count)\\{([^}]*)\\} ([^ ]+)`);
  for (const l of text.split('\n')) {
    const m = line.exec(l);
    if (!m) continue;
    const labels = Object.fromEntries([...(m[2] as string).matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1] as string, x[2] as string]));
    if (!keep(labels)) continue;
    const le = labels.le;
    delete labels.le;
    const key = Object.entries(labels).sort().map(([k, v]) => `${k}=${v}`).join(',');
    const h = out.get(key) ?? { buckets: [], count: 0, sum: 0 };
    const value = Number(m[3]);
    if (m[1] === 'bucket') h.buckets.push([le === '+Inf' ? Number.POSITIVE_INFINITY : Number(le), value]);
    else if (m[1] === 'sum') h.sum = value;
    else h.count = value;
    out.set(key, h);
  }
  for (const h of out.values()) h.buckets.sort((a, b) => a[0] - b[0]);
  return out;
}

export function subtract(after: Bucketed, before: Bucketed | undefined): Bucketed {
  if (!before) return after;
  return {
    buckets: after.buckets.map(([le, c]) => [le, c - (before.buckets.find((b) => b[0] === le)?.[1] ?? 0)]),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

export function merge(hs: Bucketed[]): Bucketed {
  const les = [...new Set(hs.flatMap((h) => h.buckets.map((b) => b[0])))].sort((a, b) => a - b);
  return {
    buckets: les.map((le) => [le, hs.reduce((s, h) => s + (h.buckets.find((b) => b[0] === le)?.[1] ?? 0), 0)]),
    count: hs.reduce((s, h) => s + h.count, 0),
    sum: hs.reduce((s, h) => s + h.sum, 0),
  };
}

/** PromQL histogram_quantile: linear interpolation inside the bucket holding the rank. */
export function histogramQuantile(q: number, h: Bucketed): { value: number; bucket: [number, number] } | undefined {
  const total = h.buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return undefined;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const [le, c] of h.buckets) {
    if (c >= rank) {
      if (le === Number.POSITIVE_INFINITY) return { value: prevLe, bucket: [prevLe, le] };
      return { value: prevLe + ((le - prevLe) * (rank - prevCount)) / Math.max(1e-12, c - prevCount), bucket: [prevLe, le] };
    }
    prevLe = le;
    prevCount = c;
  }
  return undefined;
}

export interface BurstResult {
  creates: number;
  concurrency: number;
  statuses: Record<string, number>;
  wallSeconds: number;
  clientLatencyMs: ReturnType<typeof summarize>;
  webhooks: Array<{ webhook: string; type: string; calls: number; p50Ms?: number; p99Ms?: number; p99Bucket?: [number, number]; meanMs: number }>;
  all: { calls: number; p99Ms?: number; p99Bucket?: [number, number]; meanMs: number };
  /** meshguard's own meshguard_admission_duration_seconds over the same burst. */
  meshguardLatency?: { calls: number; p99Ms?: number; meanMs: number };
  bucketBoundsMs: number[];
}

export interface ApiserverView {
  versions: string;
  bursts: BurstResult[];
  /** meshguard's RSS with cluster access (client-node loaded, informers synced): after the warm-up, after the bursts. */
  rss: { ready: number; end: number };
}

function kubeClient(kubeconfig: string): { ca: Buffer; cert: Buffer; key: Buffer } {
  const kc = parse(readFileSync(kubeconfig, 'utf8')) as {
    clusters: Array<{ cluster: { 'certificate-authority': string } }>;
    users: Array<{ user: { 'client-certificate': string; 'client-key': string } }>;
  };
  return {
    ca: readFileSync(kc.clusters[0]!.cluster['certificate-authority']),
    cert: readFileSync(kc.users[0]!.user['client-certificate']),
    key: readFileSync(kc.users[0]!.user['client-key']),
  };
}

function request(agent: https.Agent, server: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const req = https.request(`${server}${path}`, { method, agent, headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** Example objects of served namespaced kinds (valid and broken), renamed to be unique, round robin. */
function burstObjects(registry: Registry, n: number, tag: string): Array<{ path: string; object: KObject; namespace: string }> {
  const pool = servedExamples(registry).filter((e) => !isTopologyObject(e.object) && e.spec.scope === 'Namespaced');
  const out: Array<{ path: string; object: KObject; namespace: string }> = [];
  for (let i = 0; i < n; i++) {
    const e = pool[i % pool.length]!;
    const namespace = e.object.metadata?.namespace ?? 'default';
    const [group, version] = String(e.object.apiVersion).split('/');
    const object: KObject = { ...structuredClone(e.object), metadata: { ...structuredClone(e.object.metadata ?? {}), name: `${e.object.metadata?.name ?? 'x'}-${tag}${i}`, namespace } };
    out.push({ path: `/apis/${group}/${version}/namespaces/${namespace}/${e.spec.plural}`, object, namespace });
  }
  return out;
}

const METRIC = 'apiserver_admission_webhook_admission_duration_seconds';

export async function apiserverView(registry: Registry, opts: { bursts: Array<{ creates: number; concurrency: number }>; warmup?: number; log: (s: string) => void }): Promise<ApiserverView> {
  let cp: ControlPlane | undefined;
  let mg: Meshguard | undefined;
  try {
    opts.log('starting the control plane (etcd + kube-apiserver)…');
    cp = await startControlPlane();
    await cp.applyUpstreamCrds();
    mg = await startMeshguard(cp, { env: { NODE_OPTIONS: containerNodeOptions() } });
    await installChart(cp, mg);
    const plans = opts.bursts.map((b, i) => ({ ...b, objects: burstObjects(registry, b.creates, `b${i}-`) }));
    // Not reported: warms meshguard's JIT, the apiserver's webhook connections and the caches.
    const warm = burstObjects(registry, opts.warmup ?? 100, 'w-');
    const namespaces = [...new Set([...warm, ...plans.flatMap((p) => p.objects)].map((o) => o.namespace))];
    for (const ns of namespaces) await cp.kubectl(['create', 'namespace', ns], { allowFail: true });
    const probe = plans[0]!.objects[0]!.object;
    await waitForWebhook(async () => {
      await cp!.kubectl(['create', '--dry-run=server', '-f', '-'], { input: JSON.stringify(probe), allowFail: true });
      return mg!.logs().some((l) => l.event === 'admission.decision');
    }, 60_000);

    const { ca, cert, key } = kubeClient(cp.kubeconfig);
    const bursts: BurstResult[] = [];
    if (warm.length > 0) {
      const agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca, cert, key });
      opts.log(`warm-up: ${warm.length} creates, 8 at a time…`);
      await burst(cp, mg, agent, warm, 8);
      agent.destroy();
    }
    const ready = memoryOf(mg.pid).rss;
    for (const plan of plans) {
      const agent = new https.Agent({ keepAlive: true, maxSockets: plan.concurrency, ca, cert, key });
      opts.log(`burst: ${plan.objects.length} creates, ${plan.concurrency} at a time…`);
      bursts.push(await burst(cp, mg, agent, plan.objects, plan.concurrency));
      agent.destroy();
    }
    return { versions: `Kubernetes ${cp.versions.k8s}, etcd ${cp.versions.etcd}`, bursts, rss: { ready, end: memoryOf(mg.pid).rss } };
  } finally {
    await mg?.stop().catch(() => undefined);
    await cp?.stop().catch(() => undefined);
  }
}

async function burst(cp: ControlPlane, mg: Meshguard, agent: https.Agent, objects: Array<{ path: string; object: KObject }>, concurrency: number): Promise<BurstResult> {
  const scrape = async () => {
    const r = await request(agent, cp.server, 'GET', '/metrics');
    return parseHistograms(r.body, METRIC, (l) => (l.name ?? '').includes('meshguard'));
  };
  const own = async () => merge([...parseHistograms(await fetch(`http://127.0.0.1:${mg.healthPort}/metrics`).then((r) => r.text()), 'meshguard_admission_duration_seconds', () => true).values()]);
  const before = await scrape();
  const ownBefore = await own();
  const statuses: Record<string, number> = {};
  const latencies = new Float64Array(objects.length);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < objects.length) {
        const i = next++;
        const o = objects[i]!;
        const s = performance.now();
        const r = await request(agent, cp.server, 'POST', o.path, o.object).catch((e: Error) => ({ status: 0, body: e.message }));
        latencies[i] = performance.now() - s;
        const k = r.status === 0 ? 'transport error' : String(r.status);
        statuses[k] = (statuses[k] ?? 0) + 1;
      }
    }),
  );
  const wallSeconds = (performance.now() - t0) / 1000;
  const after = await scrape();
  const ownAfter = await own();

  const deltas = [...after].map(([k, h]) => [k, subtract(h, before.get(k))] as const).filter(([, h]) => h.count > 0);
  const byWebhook = new Map<string, Bucketed[]>();
  for (const [k, h] of deltas) {
    const labels = Object.fromEntries(k.split(',').map((kv) => kv.split('=') as [string, string]));
    const id = `${labels.name}|${labels.type}`;
    byWebhook.set(id, [...(byWebhook.get(id) ?? []), h]);
  }
  const webhooks = [...byWebhook].map(([id, hs]) => {
    const h = merge(hs);
    const [webhook, type] = id.split('|') as [string, string];
    const p50 = histogramQuantile(0.5, h);
    const p99 = histogramQuantile(0.99, h);
    const row: BurstResult['webhooks'][number] = { webhook, type, calls: h.count, meanMs: (h.sum / Math.max(1, h.count)) * 1000 };
    if (p50) row.p50Ms = p50.value * 1000;
    if (p99) {
      row.p99Ms = p99.value * 1000;
      row.p99Bucket = [p99.bucket[0] * 1000, p99.bucket[1] * 1000];
    }
    return row;
  });
  const all = merge(deltas.map(([, h]) => h));
  const p99 = histogramQuantile(0.99, all);
  const mine = subtract(ownAfter, ownBefore);
  const myP99 = histogramQuantile(0.99, mine);
  return {
    creates: objects.length,
    concurrency,
    statuses,
    wallSeconds,
    clientLatencyMs: summarize(latencies),
    webhooks,
    all: { calls: all.count, meanMs: (all.sum / Math.max(1, all.count)) * 1000, ...(p99 ? { p99Ms: p99.value * 1000, p99Bucket: [p99.bucket[0] * 1000, p99.bucket[1] * 1000] as [number, number] } : {}) },
    meshguardLatency: { calls: mine.count, meanMs: (mine.sum / Math.max(1, mine.count)) * 1000, ...(myP99 ? { p99Ms: myP99.value * 1000 } : {}) },
    bucketBoundsMs: all.buckets.map((b) => b[0] * 1000).filter(Number.isFinite),
  };
}
