// Audit at scale on the real control plane: N mesh objects (default 10,000) in the apiserver, then
//   1. `meshguard audit -o json` (list every served kind in pages, evaluate, cross-object rules) under
//      /usr/bin/time -v: wall time and peak RSS of the audit process;
//   2. `meshguard serve --audit-interval 1h`: the first background scan (which creates the PolicyReports),
//      then a second one triggered by a MeshTopology change (nothing to write), timed from the server's own
//      log lines; peak RSS of the server (informer caches included) when it stops.
// Measures, does not assert. Prints the figures; `--json` prints them as one JSON object.
//
//   node_modules/.bin/node bench/audit-scan.ts [--objects 10000] [--runs 3] [--no-serve] [--json]

import { KubernetesObjectApi } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { loadKubeConfig } from '../src/kube/client.ts';
import type { KObject } from '../src/engine/types.ts';
import { buildRegistry } from '../src/rules/index.ts';
import { startControlPlane, type ControlPlane } from '../test/e2e/harness/controlplane.ts';
import { exampleTopologyObjects, REPO_ROOT, servedExamples } from './lib/corpus.ts';

const { values } = parseArgs({
  options: {
    objects: { type: 'string', default: '10000' },
    runs: { type: 'string', default: '3' },
    namespaces: { type: 'string', default: '100' },
    'no-serve': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.objects);
const RUNS = Number(values.runs);
const NAMESPACES = Number(values.namespaces);
const MAIN = `${REPO_ROOT}src/cli/main.ts`;
const say = (s: string) => process.stderr.write(`[audit-bench] ${s}\n`);

interface Timed {
  code: number | null;
  stdout: string;
  stderr: string;
  wallSeconds: number;
  maxRssMiB: number;
}

/** Runs node with `args` under /usr/bin/time -v; wall time and peak RSS from its report. */
function timed(args: string[], onLine?: (line: string) => void): { done: Promise<Timed>; kill: (sig: NodeJS.Signals) => void } {
  const child = spawn('/usr/bin/time', ['-v', process.execPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let buf = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    if (!onLine) return;
    buf += d;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      onLine(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<Timed>((resolve) =>
    child.on('close', (code) => {
      const rss = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(stderr)?.[1] ?? NaN);
      const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
      const wallSeconds = wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : NaN;
      const exit = /Exit status: (\d+)/.exec(stderr);
      resolve({ code: exit ? Number(exit[1]) : code, stdout, stderr, wallSeconds, maxRssMiB: rss / 1024 });
    }),
  );
  // Signal node itself (the child of /usr/bin/time), so time still reports.
  const kill = (sig: NodeJS.Signals) => {
    const ps = spawn('pkill', [`-${sig.replace('SIG', '')}`, '-P', String(child.pid)]);
    ps.on('error', () => child.kill(sig));
  };
  return { done, kill };
}

/** Copies of the examples of served kinds (70 % from valid ones, 30 % from broken/ variants), renamed into bench namespaces. */
function objectsToCreate(n: number): KObject[] {
  const examples = servedExamples(buildRegistry()).filter((e) => e.spec.kind !== 'MeshTopology');
  const valid = examples.filter((e) => !e.broken);
  const broken = examples.filter((e) => e.broken);
  const out: KObject[] = [];
  for (let i = 0; i < n; i++) {
    const pool = i % 10 < 7 ? valid : broken;
    const e = pool[Math.floor(i / 10) % pool.length] ?? pool[0];
    if (!e) throw new Error('no examples');
    const o = structuredClone(e.object);
    const name = String(o.metadata?.name ?? 'x');
    // ASM reads only the ASMPvlConfig named default: keep that name (one per namespace is enough realism).
    o.metadata = { ...o.metadata, namespace: `bench-${i % NAMESPACES}`, name: o.kind === 'ASMPvlConfig' && name === 'default' ? 'default' : `${name}-${i}`.slice(0, 63).replace(/[^a-z0-9]+$/, '') };
    delete o.metadata.uid;
    delete o.metadata.resourceVersion;
    out.push(o);
  }
  return out;
}

async function create(cp: ControlPlane, objects: KObject[]): Promise<{ created: number; rejected: Map<string, number> }> {
  const kc = loadKubeConfig(cp.kubeconfig);
  if (!kc) throw new Error('no kubeconfig');
  const api = KubernetesObjectApi.makeApiClient(kc);
  let next = 0;
  let created = 0;
  const rejected = new Map<string, number>();
  const worker = async () => {
    while (next < objects.length) {
      const o = objects[next++] as KObject & { metadata: { name: string } };
      try {
        await api.create(o as never);
        created++;
      } catch (err) {
        const code = (err as { code?: number }).code;
        if (code === 409) continue; // same name twice (ASMPvlConfig default): fine
        const key = `${o.kind} ${code ?? String((err as Error).message).slice(0, 60)}`;
        rejected.set(key, (rejected.get(key) ?? 0) + 1);
      }
      if ((created & 1023) === 0) say(`created ${created}/${objects.length}`);
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
  return { created, rejected };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

const cp = await startControlPlane();
try {
  say('control plane up; applying CRDs');
  await cp.applyUpstreamCrds();
  await cp.kubectl(['apply', '--server-side', '-f', `${REPO_ROOT}charts/meshguard/crds/meshtopology.yaml`]);
  await cp.kubectl(['create', 'namespace', 'meshguard']);
  for (let i = 0; i < NAMESPACES; i++) await cp.kubectl(['create', 'namespace', `bench-${i}`]);
  const topologies = exampleTopologyObjects();
  for (const t of topologies) await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(t) });

  const wanted = objectsToCreate(N);
  const t0 = performance.now();
  const first = await create(cp, wanted);
  let created = first.created;
  const rejected = first.rejected;
  // Some broken variants are refused by the real CRD schemas (that is their point); top up with valid ones.
  let extra = 0;
  while (created < N && extra < 5) {
    const more = objectsToCreate(N - created + 100).map((o, i) => ({ ...o, metadata: { ...o.metadata, name: `${o.metadata?.name}-t${extra}-${i}`.slice(0, 63).replace(/[^a-z0-9]+$/, '') } }));
    const r = await create(cp, more.slice(0, N - created));
    created += r.created;
    for (const [k, v] of r.rejected) rejected.set(k, (rejected.get(k) ?? 0) + v);
    extra++;
  }
  const createSeconds = (performance.now() - t0) / 1000;
  const perKind = JSON.parse((await cp.kubectl(['get', 'asmpvlconfigs,istiogateways,servicemeshpeers,exportedservicesets,importedservicesets,destinationrules,gateways,istiooperators,meshtopologies', '-A', '-o', 'json'], { timeoutMs: 600_000 })).stdout) as { items: KObject[] };
  const inCluster = new Map<string, number>();
  for (const o of perKind.items) inCluster.set(String(o.kind), (inCluster.get(String(o.kind)) ?? 0) + 1);
  say(`created ${created} objects in ${createSeconds.toFixed(1)} s; in the apiserver: ${JSON.stringify(Object.fromEntries(inCluster))}; refused by CRD schemas: ${JSON.stringify(Object.fromEntries(rejected))}`);

  // 1. meshguard audit
  const runs: Array<{ wallSeconds: number; maxRssMiB: number; resources: number; errors: number; warnings: number }> = [];
  for (let r = 0; r < RUNS; r++) {
    const res = await timed([MAIN, 'audit', '--kubeconfig', cp.kubeconfig, '-o', 'json']).done;
    if (res.code !== 0 && res.code !== 1) throw new Error(`meshguard audit exited ${res.code}: ${res.stderr.slice(-2000)}`);
    const doc = JSON.parse(res.stdout) as { summary: { resources: number; errors: number; warnings: number } };
    runs.push({ wallSeconds: res.wallSeconds, maxRssMiB: res.maxRssMiB, ...doc.summary });
    say(`meshguard audit run ${r + 1}: ${res.wallSeconds.toFixed(2)} s, peak RSS ${res.maxRssMiB.toFixed(0)} MiB, ${doc.summary.resources} resources, ${doc.summary.errors} errors, ${doc.summary.warnings} warnings`);
  }

  // 2. meshguard serve: first scan writes the reports, a topology-triggered second scan writes nothing.
  let serve: Record<string, unknown> | undefined;
  if (!values['no-serve']) {
    const scans: Array<Record<string, unknown>> = [];
    const startedAt: number[] = [];
    const server = timed(
      [MAIN, 'serve', '--tls-cert', cp.webhookTls.certFile, '--tls-key', cp.webhookTls.keyFile, '--port', '0', '--health-port', '0', '--host', '127.0.0.1',
        '--kubeconfig', cp.kubeconfig, '--audit-interval', '1h', '--lease-namespace', 'meshguard'],
      (line) => {
        try {
          const l = JSON.parse(line) as Record<string, unknown>;
          if (l.event === 'audit.scan.started') startedAt.push(Number(l.time));
          if (l.event === 'audit.scan') scans.push(l);
        } catch {
          /* not JSON */
        }
      },
    );
    const wait = async (what: string, ok: () => boolean, ms: number) => {
      const end = Date.now() + ms;
      while (!ok()) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await wait('the first background scan', () => scans.length >= 1, 30 * 60_000);
    const name = String(topologies[0]?.metadata?.name);
    await cp.kubectl(['label', 'meshtopology', name, `bench-touch=${Date.now()}`, '--overwrite']);
    await wait('the topology-triggered scan', () => scans.length >= 2, 10 * 60_000);
    server.kill('SIGTERM');
    const res = await server.done;
    const total = (i: number) => (Number(scans[i]?.time) - (startedAt[i] ?? NaN)) / 1000;
    serve = {
      firstScan: { totalSeconds: total(0), listAndEvaluateSeconds: scans[0]?.seconds, objects: scans[0]?.objects, reports: scans[0]?.reports },
      secondScan: { totalSeconds: total(1), listAndEvaluateSeconds: scans[1]?.seconds, objects: scans[1]?.objects, reports: scans[1]?.reports },
      maxRssMiB: res.maxRssMiB,
    };
    say(`serve: first scan ${total(0).toFixed(2)} s (list+evaluate ${scans[0]?.seconds} s; reports ${JSON.stringify(scans[0]?.reports)}), second scan ${total(1).toFixed(2)} s (${JSON.stringify(scans[1]?.reports)}), server peak RSS ${res.maxRssMiB.toFixed(0)} MiB`);
    const polr = JSON.parse((await cp.kubectl(['get', 'policyreports.wgpolicyk8s.io', '-A', '-o', 'json'], { timeoutMs: 600_000 })).stdout) as { items: unknown[] };
    serve.policyReports = polr.items.length;
  }

  const figures = {
    objects: created,
    perKind: Object.fromEntries(inCluster),
    createSeconds,
    audit: {
      runs,
      medianWallSeconds: median(runs.map((r) => r.wallSeconds)),
      medianMaxRssMiB: median(runs.map((r) => r.maxRssMiB)),
    },
    ...(serve ? { serve } : {}),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version, kubernetes: cp.versions.k8s },
  };
  if (values.json) process.stdout.write(JSON.stringify(figures, null, 2) + '\n');
  else {
    process.stdout.write(`audit of ${created} mesh objects (${Object.entries(figures.perKind).map(([k, v]) => `${v} ${k}`).join(', ')})\n`);
    process.stdout.write(`  meshguard audit: median ${figures.audit.medianWallSeconds.toFixed(2)} s wall, median peak RSS ${figures.audit.medianMaxRssMiB.toFixed(0)} MiB over ${runs.length} runs\n`);
    if (serve) {
      const s = serve as { firstScan: { totalSeconds: number; reports: unknown }; secondScan: { totalSeconds: number }; maxRssMiB: number; policyReports: number };
      process.stdout.write(`  background scan 1 (creates reports): ${s.firstScan.totalSeconds.toFixed(2)} s, ${JSON.stringify(s.firstScan.reports)}\n`);
      process.stdout.write(`  background scan 2 (unchanged):       ${s.secondScan.totalSeconds.toFixed(2)} s\n`);
      process.stdout.write(`  meshguard serve peak RSS: ${s.maxRssMiB.toFixed(0)} MiB; PolicyReports in the cluster: ${s.policyReports}\n`);
    }
  }
} finally {
  await cp.stop();
}
