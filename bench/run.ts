// `npm run bench`: measures meshguard and writes bench/RESULTS.md (figures, never assertions).
//
//   node bench/run.ts [--soak] [--seconds 8] [--levels 1,16,64,256] [--cli-resources 10000,100000]
//                     [--cli-timeout 120] [--cli-repeat 3] [--creates 1000] [--skip admission,cli,apiserver,cidr]
//                     [--audit-scan] [--no-v8-defaults] [--source] [--out bench/RESULTS.md]
//
// 1. Admission over HTTPS with keep-alive: the example mix (bench/lib/bodies.ts) against `meshguard serve`
//    and against a floor server (bare node:https answering allowed:true), each a child process, at each
//    concurrency (closed loop), plus an open-loop run at half of meshguard's c=64 throughput. --soak adds
//    1M requests at c=64 with RSS every 100k.
// 2. CLI scale: `meshguard check` over generated resources + a 1k-cluster MeshTopology (bench/lib/cli-scale.ts).
// 3. The apiserver's view: a burst of creates on the real control plane (bench/lib/apiserver.ts).
// 4. Figures of the other bench scripts that exist (bench/cidr-overlap.ts; bench/audit-scan.ts with --audit-scan).
//
// meshguard runs compiled (tsc → bench/.tmp/dist, as in the container) unless --source; the load client
// runs in this process, on the same machine: on 2 cores the client takes a share of the CPU the servers
// would otherwise have, which is why the floor is measured in the same run and the ratio is the figure.

import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildRegistry } from '../src/rules/index.ts';
import { makeCerts } from '../test/helpers/certs.ts';
import { apiserverView, type ApiserverView } from './lib/apiserver.ts';
import { buildMix, writeExampleTopology, type Mix } from './lib/bodies.ts';
import { runScaleCheck, writeScaleInputs, type ScaleInputs, type ScaleRun } from './lib/cli-scale.ts';
import { REPO_ROOT } from './lib/corpus.ts';
import { runLoad, summarize, type LoadResult } from './lib/load.ts';
import { INSPECT_ON_SIGNAL, LiveHeap } from './lib/live-heap.ts';
import { containerNodeOptions, cpuSecondsOf, memoryOf, MiB, startFloorChild, startMeshguardChild } from './lib/proc.ts';

const { values: args } = parseArgs({
  options: {
    soak: { type: 'boolean', default: false },
    'soak-requests': { type: 'string', default: '1000000' },
    seconds: { type: 'string', default: '8' },
    warmup: { type: 'string', default: '3' },
    levels: { type: 'string', default: '1,16,64,256' },
    'cli-resources': { type: 'string', default: '10000,100000' },
    'cli-clusters': { type: 'string', default: '1000' },
    'cli-timeout': { type: 'string', default: '120' },
    'cli-repeat': { type: 'string', default: '3' },
    creates: { type: 'string', default: '1000' },
    'creates-concurrency': { type: 'string', default: '32' },
    skip: { type: 'string', default: '' },
    'audit-scan': { type: 'boolean', default: false },
    'no-v8-defaults': { type: 'boolean', default: false },
    source: { type: 'boolean', default: false },
    out: { type: 'string', default: join(REPO_ROOT, 'bench/RESULTS.md') },
  },
});

const TMP = join(REPO_ROOT, 'bench/.tmp');
mkdirSync(TMP, { recursive: true });
const skip = new Set(args.skip.split(',').filter(Boolean));
const log = (s: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${s}\n`);
const mib = (b: number) => (b / MiB).toFixed(0);
const ms = (v: number | undefined, d = 2) => (v === undefined || Number.isNaN(v) ? '–' : v.toFixed(d));
const registry = buildRegistry();
/** Each level first opens its connections and runs unmeasured for this long (see runLoad's warmupMs). */
const LEVEL_WARMUP_MS = 1000;

// ---------------------------------------------------------------------------------------------------------
// meshguard as the container runs it: compiled JavaScript.

function entrypoint(): { main: string; form: string } {
  const source = join(REPO_ROOT, 'src/cli/main.ts');
  if (args.source) return { main: source, form: 'TypeScript source (type stripping)' };
  const outDir = join(TMP, 'dist');
  try {
    execFileSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', outDir], { stdio: 'pipe' });
  } catch {
    // tsc exits non-zero on type errors but still emits; a missing entry point is what matters.
  }
  const main = join(outDir, 'src/cli/main.js');
  if (existsSync(main)) return { main, form: 'compiled JavaScript (tsc, as in the container)' };
  log('tsc did not produce bench/.tmp/dist/src/cli/main.js; running the TypeScript source');
  return { main: source, form: 'TypeScript source (type stripping; the build failed)' };
}

// ---------------------------------------------------------------------------------------------------------
// 1. admission

interface Level {
  concurrency: number;
  server: string;
  result: LoadResult;
  cpuUsPerRequest: number;
  rssAfter: number;
  load1: number;
}

/** The load pauses while a sample is taken; this lets the requests in flight finish so the live heap holds none of them. */
const settle = () => new Promise((r) => setTimeout(r, 300));

/** The soak samples every this many requests. */
function soakEvery(total: number): number {
  return Math.min(100_000, Math.max(1000, Math.floor(total / 10)));
}

/** The soak's baseline sample: the first at or after 200k requests (warm-up and heap growth done), if the soak goes further. */
function soakLiveBase(total: number): number {
  const n = soakEvery(total);
  const k = Math.ceil(200_000 / n) * n;
  return k < total ? k : n;
}

interface SoakSample {
  requests: number;
  rss: number;
  rps: number;
  p99: number;
  heapUsed: number;
  heapTotal: number;
  /** At 200k and at the end: the V8 heap in use after a full GC, and RSS right after that GC. */
  live?: { heap: number; rssAfterGc: number };
}

interface Admission {
  mix: Mix;
  levels: Level[];
  openLoop?: { rate: number; cap: number; result: LoadResult; cpuUsPerRequest: number };
  idle: Record<string, { rss: number }>;
  final: Record<string, { rss: number; peak: number }>;
  soak?: SoakSample[];
  perLabel: Array<{ label: string; n: number; p50: number; p99: number }>;
  /** The same server on Node's default V8 heap sizing (without the image's NODE_OPTIONS), for comparison. */
  v8Defaults?: { idle: number; levels: Level[] };
}


/** V8 heap in use and reserved, from the server's own /metrics (prom-client default metrics). */
async function heapOf(healthPort: number | undefined): Promise<{ used: number; total: number }> {
  const text = healthPort ? await fetch(`http://127.0.0.1:${healthPort}/metrics`).then((r) => r.text(), () => '') : '';
  const g = (n: string) => Number(new RegExp(`^meshguard_nodejs_heap_size_${n}_bytes ([0-9.e+]+)`, 'm').exec(text)?.[1] ?? NaN);
  return { used: g('used'), total: g('total') };
}

async function admission(main: string, form: string): Promise<Admission> {
  const certs = makeCerts(join(TMP, 'certs'));
  const topologyFile = join(TMP, 'topology.yaml');
  writeExampleTopology(topologyFile);
  const mix = buildMix(registry);
  const seconds = Number(args.seconds) * 1000;
  log(`admission: ${mix.bodies.length} bodies (mean ${mix.meanBytes} B), meshguard from ${form}`);
  // With --soak the server can open an inspector on SIGUSR1 (nothing is opened before) for the live heap.
  const nodeOptions = `${containerNodeOptions()}${args.soak ? ` ${INSPECT_ON_SIGNAL}` : ''}`;
  const meshguard = await startMeshguardChild({ main, cert: certs.cert, key: certs.key, topology: topologyFile, env: { NODE_OPTIONS: nodeOptions } });
  const floor = await startFloorChild({ cert: certs.cert, key: certs.key });
  const servers = [floor, meshguard];
  await new Promise((r) => setTimeout(r, 1000));
  const idle = Object.fromEntries(servers.map((s) => [s.name, { rss: memoryOf(s.pid).rss }]));
  const levels: Level[] = [];
  let offset = 0;
  try {
    for (const s of servers) {
      log(`warm-up ${s.name} (${args.warmup} s at c=16)`);
      await runLoad({ port: s.port, ca: certs.caPem, bodies: mix.bodies, concurrency: 16, durationMs: Number(args.warmup) * 1000 });
    }
    for (const c of args.levels.split(',').map(Number)) {
      for (const s of servers) {
        let cpu0 = 0;
        let load1 = 0;
        const result = await runLoad({ port: s.port, ca: certs.caPem, bodies: mix.bodies, concurrency: c, durationMs: seconds, offset, warmupMs: LEVEL_WARMUP_MS, onMeasureStart: () => {
          cpu0 = cpuSecondsOf(s.pid);
          load1 = os.loadavg()[0] as number;
        } });
        offset += result.requests;
        const cpuUsPerRequest = ((cpuSecondsOf(s.pid) - cpu0) / Math.max(1, result.requests)) * 1e6;
        levels.push({ concurrency: c, server: s.name, result, cpuUsPerRequest, rssAfter: memoryOf(s.pid).rss, load1 });
        log(`c=${c} ${s.name}: ${result.rps.toFixed(0)} req/s, p99 ${result.latencyMs.p99.toFixed(2)} ms, ${Object.keys(result.errors).length ? JSON.stringify(result.errors) : 'no errors'}`);
      }
    }
    const at64 = levels.find((l) => l.server === 'meshguard' && l.concurrency === 64) ?? levels.filter((l) => l.server === 'meshguard').at(-1);
    let openLoop: Admission['openLoop'];
    if (at64) {
      const rate = Math.max(10, Math.round(at64.result.rps / 2));
      let cpu0 = 0;
      const result = await runLoad({ port: meshguard.port, ca: certs.caPem, bodies: mix.bodies, concurrency: 64, durationMs: seconds, ratePerSec: rate, offset, warmupMs: LEVEL_WARMUP_MS, onMeasureStart: () => (cpu0 = cpuSecondsOf(meshguard.pid)) });
      openLoop = { rate, cap: 64, result, cpuUsPerRequest: ((cpuSecondsOf(meshguard.pid) - cpu0) / Math.max(1, result.requests)) * 1e6 };
      log(`open loop ${rate} req/s (≤64 in flight): p99 ${result.latencyMs.p99.toFixed(2)} ms`);
    }
    let soak: Admission['soak'];
    if (args.soak) {
      const total = Number(args['soak-requests']);
      log(`soak: ${total} requests at c=64 against meshguard`);
      const h0 = await heapOf(meshguard.healthPort);
      // The inspector session is opened before the first sample so that whatever it holds is in every one.
      const inspector = await LiveHeap.attach(meshguard.pid, meshguard.stderr);
      const rss0 = memoryOf(meshguard.pid).rss;
      soak = [{ requests: 0, rss: rss0, rps: NaN, p99: NaN, heapUsed: h0.used, heapTotal: h0.total, live: { heap: await inspector.bytes(), rssAfterGc: memoryOf(meshguard.pid).rss } }];
      let last = performance.now();
      let lastDone = 0;
      const liveAt = new Set([soakLiveBase(total), Math.floor(total / soakEvery(total)) * soakEvery(total)]);
      try {
      await runLoad({
        port: meshguard.port,
        ca: certs.caPem,
        bodies: mix.bodies,
        concurrency: 64,
        requests: total,
        every: {
          n: soakEvery(total),
          fn: async (done, lat) => {
            const now = performance.now();
            const window = summarize(lat.subarray(lastDone, done));
            const heap = await heapOf(meshguard.healthPort);
            const sample: SoakSample = { requests: done, rss: memoryOf(meshguard.pid).rss, rps: ((done - lastDone) / (now - last)) * 1000, p99: window.p99, heapUsed: heap.used, heapTotal: heap.total };
            if (liveAt.has(done)) {
              await settle();
              sample.live = { heap: await inspector.bytes(), rssAfterGc: memoryOf(meshguard.pid).rss };
            }
            soak!.push(sample);
            log(`soak ${done}: RSS ${mib(sample.rss)} MiB, heap ${mib(heap.used)}/${mib(heap.total)} MiB${sample.live ? `, live heap ${mib(sample.live.heap)} MiB (RSS ${mib(sample.live.rssAfterGc)} MiB after that full GC)` : ''}`);
            last = performance.now();
            lastDone = done;
          },
        },
      });
      } finally {
        inspector.close();
      }
    }
    // The same server on Node's default V8 sizing, at the two highest levels: what the image's flags change.
    let v8Defaults: Admission['v8Defaults'];
    if (!args['no-v8-defaults']) {
      const limited = await startMeshguardChild({ main, cert: certs.cert, key: certs.key, topology: topologyFile, env: { NODE_OPTIONS: '' } });
      try {
        v8Defaults = { idle: memoryOf(limited.pid).rss, levels: [] };
        await runLoad({ port: limited.port, ca: certs.caPem, bodies: mix.bodies, concurrency: 16, durationMs: Number(args.warmup) * 1000 });
        for (const c of args.levels.split(',').map(Number).slice(-2)) {
          let cpu0 = 0;
          let load1 = 0;
          const result = await runLoad({ port: limited.port, ca: certs.caPem, bodies: mix.bodies, concurrency: c, durationMs: seconds, offset, warmupMs: LEVEL_WARMUP_MS, onMeasureStart: () => {
            cpu0 = cpuSecondsOf(limited.pid);
            load1 = os.loadavg()[0] as number;
          } });
          v8Defaults.levels.push({ concurrency: c, server: 'meshguard (V8 defaults)', result, cpuUsPerRequest: ((cpuSecondsOf(limited.pid) - cpu0) / Math.max(1, result.requests)) * 1e6, rssAfter: memoryOf(limited.pid).rss, load1 });
          log(`c=${c} meshguard on V8 defaults: ${result.rps.toFixed(0)} req/s, RSS ${mib(memoryOf(limited.pid).rss)} MiB`);
        }
      } finally {
        await limited.stop();
      }
    }
    // Service time per kind: the concurrency-1 level (no queueing), or the lowest level run.
    const lowest = Math.min(...levels.map((l) => l.concurrency));
    const mgLevels = levels.filter((l) => l.server === 'meshguard' && l.concurrency === lowest);
    const labels = new Map<string, number[]>();
    for (const l of mgLevels) for (const [k, v] of l.result.byLabel) labels.set(k, [...(labels.get(k) ?? []), ...v]);
    const perLabel = [...labels]
      .map(([label, v]) => {
        const s = summarize(Float64Array.from(v));
        return { label, n: v.length, p50: s.p50, p99: s.p99 };
      })
      .sort((a, b) => b.p50 - a.p50);
    const final = Object.fromEntries(servers.map((s) => [s.name, memoryOf(s.pid)]));
    const result: Admission = { mix, levels, idle, final, perLabel };
    if (openLoop) result.openLoop = openLoop;
    if (soak) result.soak = soak;
    if (v8Defaults) result.v8Defaults = v8Defaults;
    return result;
  } finally {
    for (const s of servers) await s.stop();
  }
}

// ---------------------------------------------------------------------------------------------------------
// 2. CLI scale

interface CliScale {
  /** Every completed run; `run` is the median by wall time (or the run that timed out). */
  runs: ScaleRun[];
  inputs: ScaleInputs;
  run: ScaleRun | { timedOut: true; seconds: number };
}

async function cliScale(main: string): Promise<CliScale[]> {
  const out: CliScale[] = [];
  for (const n of args['cli-resources'].split(',').map(Number).filter((x) => x > 0)) {
    log(`CLI scale: generating ${n} resources + a ${args['cli-clusters']}-cluster MeshTopology`);
    const inputs = writeScaleInputs(registry, join(TMP, `cli-scale-${n}`), n, Number(args['cli-clusters']));
    log(`CLI scale: meshguard check over ${inputs.files} files (${mib(inputs.bytes)} MiB)`);
    const timeout = Number(args['cli-timeout']);
    // Timing on this kind of machine moves by 10-20 % between identical runs: run it several times, report the median.
    const runs: ScaleRun[] = [];
    let run: CliScale['run'] | undefined;
    for (let i = 0; i < Math.max(1, Number(args['cli-repeat'])); i++) {
      const one = await Promise.race([
        runScaleCheck(main, inputs.dir, join(TMP, `cli-scale-${n}.json`)),
        new Promise<{ timedOut: true; seconds: number }>((r) => setTimeout(() => r({ timedOut: true, seconds: timeout }), timeout * 1000).unref()),
      ]);
      if ('timedOut' in one) {
        // The checker is a grandchild under /usr/bin/time: end exactly the processes started for it.
        killCheck(inputs.dir);
        log(`CLI scale ${n}: not done after ${timeout} s; stopped`);
        run = one;
        break;
      }
      log(`CLI scale ${n} run ${i + 1}: ${one.wallSeconds.toFixed(1)} s, peak RSS ${mib(one.peakRssBytes)} MiB`);
      runs.push(one);
    }
    run ??= [...runs].sort((a, b) => a.wallSeconds - b.wallSeconds)[Math.floor(runs.length / 2)]!;
    out.push({ inputs, run, runs });
  }
  return out;
}

/** ` (median of 3: 8.4–9.9 s)` when there was more than one run. */
function runRange(c: CliScale): string {
  if (c.runs.length < 2) return '';
  const w = c.runs.map((x) => x.wallSeconds);
  return ` (median of ${w.length}: ${Math.min(...w).toFixed(1)}–${Math.max(...w).toFixed(1)} s)`;
}

function killCheck(dir: string): void {
  // pgrep -f on the unique input directory: only the check started above matches it.
  try {
    const pids = execFileSync('pgrep', ['-f', `check ${dir} -o json`], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
    for (const pid of pids) if (pid !== process.pid) process.kill(pid, 'SIGKILL');
  } catch {
    // nothing left to stop
  }
}

// ---------------------------------------------------------------------------------------------------------
// 4. other bench scripts

function runScript(file: string, scriptArgs: string[], timeoutSec: number): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file, ...scriptArgs], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutSec * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out: out.trim() });
    });
  });
}

// ---------------------------------------------------------------------------------------------------------
// RESULTS.md

function verdict(ok: boolean | undefined): string {
  return ok === undefined ? 'not measured' : ok ? 'met' : '**not met**';
}

function render(ctx: {
  started: Date;
  finishedLoad: number[];
  startLoad: number[];
  form: string;
  adm?: Admission;
  cli?: CliScale[];
  api?: ApiserverView | { error: string };
  others: Array<{ name: string; code: number | null; out: string }>;
  seconds: number;
}): string {
  const cpus = os.cpus();
  const lines: string[] = [];
  const p = (s = '') => lines.push(s);
  p('# meshguard benchmark results');
  p();
  p(`Written by \`npm run bench\` (bench/run.ts); figures, not assertions. Re-run to refresh.`);
  p();
  p(`- Date: ${ctx.started.toISOString()} (took ${((Date.now() - ctx.started.getTime()) / 60000).toFixed(1)} min)`);
  p(`- Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${mib(os.totalmem())} MiB RAM, ${os.platform()} ${os.release()}`);
  p(`- Node ${process.version}; meshguard run as ${ctx.form}, with the image's NODE_OPTIONS \`${containerNodeOptions()}\``);
  p(`- Load average (1/5/15 min) at start: ${ctx.startLoad.map((x) => x.toFixed(2)).join(' / ')}; at end: ${ctx.finishedLoad.map((x) => x.toFixed(2)).join(' / ')}`);
  // The bench itself keeps about 2 cores busy, so only the load before it started says whether others were.
  const busy = (ctx.startLoad[0] ?? 0) > cpus.length * 0.5;
  if (busy) p(`- **The machine was busy before the bench started** (1-min load average ${ctx.startLoad[0]?.toFixed(2)} on ${cpus.length} cores): throughput and latency are noisy and pessimistic; the meshguard/floor ratio and CPU per request are the steadier figures.`);
  else p(`- The machine was quiet when the bench started; the per-level load average below includes the bench's own processes (about 2). Tail latencies (p99, max) still move between runs: on ${cpus.length} cores the client, the server and anything else running share the CPUs.`);
  p(`- The load client runs on the same machine as the servers (loopback); on ${cpus.length} cores it competes with them for CPU.`);
  p();

  const adm = ctx.adm;
  const mgAt = (c: number) => adm?.levels.find((l) => l.server === 'meshguard' && l.concurrency === c);
  const flAt = (c: number) => adm?.levels.find((l) => l.server === 'floor' && l.concurrency === c);
  const m64 = mgAt(64);
  const f64 = flAt(64);
  const ratio64 = m64 && f64 ? m64.result.rps / f64.result.rps : undefined;
  const bestRatio = adm ? Math.max(...adm.levels.filter((l) => l.server === 'meshguard').map((l) => l.result.rps / (flAt(l.concurrency)?.result.rps ?? Infinity))) : undefined;
  const rssEnd = adm?.final.meshguard;
  const soak = adm?.soak;
  // Baseline: the sample at 200k requests (after warm-up and heap growth), or the first one after the start.
  const soakBase = soak ? (soak.find((x) => x.live && x.requests > 0 && x !== soak.at(-1)) ?? soak[1]) : undefined;
  const soakEnd = soak && soak.length > 1 ? soak.at(-1) : undefined;
  const soakGrowth = soakBase && soakEnd && soakBase !== soakEnd ? soakEnd.rss - soakBase.rss : undefined;

  p('## Summary');
  p();
  p('| measure | figure | goal | verdict |');
  p('|---|---|---|---|');
  if (adm) {
    p(`| admission p99 at concurrency 64 (closed loop, saturated) | ${ms(m64?.result.latencyMs.p99)} ms | ≤ 5 ms | ${verdict(m64 ? m64.result.latencyMs.p99 <= 5 : undefined)} |`);
    if (adm.openLoop) p(`| admission p99 at ${adm.openLoop.rate} req/s, ≤ 64 in flight (open loop, half of saturation) | ${ms(adm.openLoop.result.latencyMs.p99)} ms | ≤ 5 ms | ${verdict(adm.openLoop.result.latencyMs.p99 <= 5)} |`);
    p(`| throughput vs floor at concurrency 64 | ${ratio64 === undefined ? '–' : `${(ratio64 * 100).toFixed(0)} % (${m64!.result.rps.toFixed(0)} vs ${f64!.result.rps.toFixed(0)} req/s)`} | ≥ 60 % | ${verdict(ratio64 === undefined ? undefined : ratio64 >= 0.6)} |`);
    p(`| throughput vs floor, best level | ${bestRatio === undefined ? '–' : `${(bestRatio * 100).toFixed(0)} %`} | ≥ 60 % | ${verdict(bestRatio === undefined ? undefined : bestRatio >= 0.6)} |`);
    p(`| server CPU per request, meshguard vs floor (c=64) | ${m64 && f64 ? `${m64.cpuUsPerRequest.toFixed(0)} µs vs ${f64.cpuUsPerRequest.toFixed(0)} µs` : '–'} | – | figure |`);
    p(`| meshguard RSS idle → after the run (peak) | ${mib(adm.idle.meshguard?.rss ?? NaN)} → ${mib(rssEnd?.rss ?? NaN)} MiB (peak ${mib(rssEnd?.peak ?? NaN)}) | ≤ 150 MiB | ${verdict(rssEnd ? rssEnd.peak <= 150 * MiB : undefined)} |`);
    if (adm.v8Defaults) {
      const hl = adm.v8Defaults.levels;
      p(`| for comparison: RSS on Node's default V8 sizing (no NODE_OPTIONS), idle → after c=${hl.map((l) => l.concurrency).join('/')} | ${mib(adm.v8Defaults.idle)} → ${hl.map((l) => mib(l.rssAfter)).join(' / ')} MiB at ${hl.map((l) => `${l.result.rps.toFixed(0)} req/s`).join(' / ')} | – | figure |`);
    }
    p(`| RSS flat over the soak | ${soakGrowth !== undefined ? `${mib(soakBase!.rss)} MiB at ${soakBase!.requests.toLocaleString('en')} → ${mib(soakEnd!.rss)} MiB at ${soakEnd!.requests.toLocaleString('en')} requests (${soakGrowth >= 0 ? '+' : ''}${mib(soakGrowth)} MiB; V8 heap in use ${mib(soakBase!.heapUsed)} → ${mib(soakEnd!.heapUsed)} MiB)` : 'run with --soak'} | flat after 1M (≤ 5 % growth after 200k) | ${soakGrowth !== undefined ? verdict(soakGrowth <= 0.05 * soakBase!.rss) : 'not measured'} |`);
    const liveBase = soakBase?.live;
    const liveEnd = soakEnd?.live;
    if (liveBase && liveEnd) {
      const growth = liveEnd.heap - liveBase.heap;
      p(`| live V8 heap over the soak (in use after a full GC; a leak shows here) | ${mib(liveBase.heap)} MiB at ${soakBase!.requests.toLocaleString('en')} → ${mib(liveEnd.heap)} MiB at ${soakEnd!.requests.toLocaleString('en')} requests (${growth >= 0 ? '+' : ''}${(growth / MiB).toFixed(1)} MiB) | flat (≤ 5 % growth after 200k) | ${verdict(growth <= 0.05 * liveBase.heap)} |`);
      p(`| meshguard RSS right after that full GC, at ${soakEnd!.requests.toLocaleString('en')} requests | ${mib(liveEnd.rssAfterGc)} MiB (${mib(soakEnd!.rss)} MiB just before it) | ≤ 150 MiB | figure |`);
    }
    p(`| errors (non-200, uid not echoed, transport) | ${adm.levels.reduce((s, l) => s + (l.result.requests - l.result.ok), 0)} of ${adm.levels.reduce((s, l) => s + l.result.requests, 0)} | 0 | ${verdict(adm.levels.every((l) => l.result.ok === l.result.requests))} |`);
  }
  for (const c of ctx.cli ?? []) {
    const r = c.run;
    if ('timedOut' in r) p(`| \`meshguard check\` ${c.inputs.resources.toLocaleString('en')} resources + ${c.inputs.clusters} clusters | not done after ${r.seconds} s (stopped) | ≤ 10 s, ≤ 1 GiB | **not met** |`);
    else p(`| \`meshguard check\` ${c.inputs.resources.toLocaleString('en')} resources + ${c.inputs.clusters} clusters | ${r.wallSeconds.toFixed(1)} s, peak RSS ${mib(r.peakRssBytes)} MiB${runRange(c)} | ≤ 10 s, ≤ 1 GiB | ${c.inputs.resources >= 100_000 ? verdict(r.wallSeconds <= 10 && r.peakRssBytes <= 1024 * MiB && r.summary !== undefined) : 'scaling point'} |`);
  }
  const api = ctx.api;
  if (api && !('error' in api)) {
    p(`| meshguard RSS with cluster access (client-node loaded, informers on, the image's NODE_OPTIONS): after warm-up → after the bursts | ${mib(api.rss.ready)} → ${mib(api.rss.end)} MiB | ≤ 150 MiB | ${verdict(Math.max(api.rss.ready, api.rss.end) <= 150 * MiB)} |`);
    for (const b of api.bursts) p(`| kube-apiserver p99 of apiserver_admission_webhook_admission_duration_seconds, meshguard webhooks, ${b.creates} creates ${b.concurrency === 1 ? 'one at a time' : `${b.concurrency} at a time`} | ${ms(b.all.p99Ms, 1)} ms (in the ${b.all.p99Bucket?.[0]}–${b.all.p99Bucket?.[1]} ms bucket; mean ${ms(b.all.meanMs, 1)} ms; meshguard's own p99 ${ms(b.meshguardLatency?.p99Ms, 1)} ms) | – | figure |`);
  }
  else if (api) p(`| kube-apiserver webhook p99 | failed: ${api.error.split('\n')[0]} | – | not measured |`);
  p();
  p(`Reading the latency goal: with a closed-loop client holding 64 requests in flight, latency is queueing (Little's law: mean latency = 64 / throughput), so "p99 ≤ 5 ms at 64" needs more than 12,800 req/s${f64 ? ` — in this run the floor server (it only parses the body and answers allowed: true) reached ${f64.result.rps.toFixed(0)} req/s at c=64 with a p99 of ${ms(f64.result.latencyMs.p99)} ms` : ''}. The open-loop row (requests arriving at half the saturated rate, at most 64 in flight) is what an apiserver sending bursts of up to 64 calls sees.`);
  p();

  if (adm) {
    p('## Admission over HTTPS (keep-alive)');
    p();
    p(`Mix: ${adm.mix.bodies.length} AdmissionReviews (mean ${adm.mix.meanBytes} bytes): every example object of a served kind (examples/**, valid and broken/), each as CREATE and UPDATE (with oldObject) to /mutate and /validate; meshguard serves in enforce mode with the examples' merged MeshTopology (\`--topology\`), logging every decision (to /dev/null). Each server is warmed up first (3 s at c=16); each level then opens its connections and runs ${LEVEL_WARMUP_MS / 1000} s unmeasured (the apiserver keeps its webhook connections: TLS handshakes are not steady state), then ${ctx.seconds} s measured; meshguard and the floor alternate at each level.`);
    p();
    p('| kind | valid examples | broken examples | defaultable | bodies |');
    p('|---|---|---|---|---|');
    for (const k of adm.mix.byKind) p(`| ${k.kind} | ${k.valid} | ${k.broken} | ${k.defaultable} | ${k.bodies} |`);
    if (adm.mix.missing.length) p(`\nServed kinds without examples (not in the mix): ${adm.mix.missing.join(', ')}.`);
    p();
    p('| concurrency | server | req/s | p50 ms | p90 ms | p99 ms | max ms | errors | server CPU µs/req | RSS after (MiB) | load avg |');
    p('|---|---|---|---|---|---|---|---|---|---|---|');
    for (const l of adm.levels) {
      const e = l.result.requests - l.result.ok;
      p(`| ${l.concurrency} | ${l.server} | ${l.result.rps.toFixed(0)} | ${ms(l.result.latencyMs.p50)} | ${ms(l.result.latencyMs.p90)} | ${ms(l.result.latencyMs.p99)} | ${ms(l.result.latencyMs.max)} | ${e}${e ? ` ${JSON.stringify(l.result.errors)}` : ''} | ${l.cpuUsPerRequest.toFixed(0)} | ${mib(l.rssAfter)} | ${l.load1.toFixed(1)} |`);
    }
    for (const l of adm.v8Defaults?.levels ?? []) {
      const e = l.result.requests - l.result.ok;
      p(`| ${l.concurrency} | ${l.server} | ${l.result.rps.toFixed(0)} | ${ms(l.result.latencyMs.p50)} | ${ms(l.result.latencyMs.p90)} | ${ms(l.result.latencyMs.p99)} | ${ms(l.result.latencyMs.max)} | ${e} | ${l.cpuUsPerRequest.toFixed(0)} | ${mib(l.rssAfter)} | ${l.load1.toFixed(1)} |`);
    }
    if (adm.v8Defaults) p(`\n"V8 defaults" is the same server started with an empty NODE_OPTIONS instead of the image's (idle RSS ${mib(adm.v8Defaults.idle)} MiB).`);
    p();
    p('| concurrency | meshguard / floor throughput |');
    p('|---|---|');
    for (const m of adm.levels.filter((l) => l.server === 'meshguard')) {
      const f = flAt(m.concurrency);
      if (f) p(`| ${m.concurrency} | ${((m.result.rps / f.result.rps) * 100).toFixed(0)} % |`);
    }
    if (adm.openLoop) {
      const o = adm.openLoop;
      p();
      p(`Open loop: ${o.rate} req/s scheduled (at most ${o.cap} in flight), ${o.result.requests} requests: p50 ${ms(o.result.latencyMs.p50)} ms, p90 ${ms(o.result.latencyMs.p90)} ms, p99 ${ms(o.result.latencyMs.p99)} ms, max ${ms(o.result.latencyMs.max)} ms, ${o.result.requests - o.result.ok} errors, ${o.cpuUsPerRequest.toFixed(0)} µs server CPU per request.`);
    }
    p();
    p(`RSS: floor idle ${mib(adm.idle.floor?.rss ?? NaN)} MiB → ${mib(adm.final.floor?.rss ?? NaN)} MiB; meshguard idle ${mib(adm.idle.meshguard?.rss ?? NaN)} MiB → ${mib(adm.final.meshguard?.rss ?? NaN)} MiB (peak ${mib(adm.final.meshguard?.peak ?? NaN)} MiB).`);
    p();
    p(`Client-side latency by kind and webhook at concurrency ${Math.min(...adm.levels.map((l) => l.concurrency))} (service time without queueing; slowest first):`);
    p();
    p('| kind and path | requests | p50 ms | p99 ms |');
    p('|---|---|---|---|');
    for (const r of adm.perLabel) p(`| ${r.label} | ${r.n} | ${ms(r.p50)} | ${ms(r.p99)} |`);
    if (adm.soak) {
      p();
      p('### Soak (c=64)');
      p();
      p('RSS next to the V8 heap in use and reserved (from meshguard\'s /metrics): RSS that follows the reserved heap while the heap in use stays level is V8 sizing its heap for an unconstrained process, not a leak.');
      p();
      p('"Live heap" is the heap in use right after a full GC that the bench asks for through Node\'s inspector (opened with SIGUSR1 before the soak starts); the RSS beside it is read right after that GC.');
      p();
      p('| requests | RSS (MiB) | V8 heap used / reserved (MiB) | live heap after a full GC (MiB) | RSS after that GC (MiB) | req/s in window | p99 ms in window |');
      p('|---|---|---|---|---|---|---|');
      for (const s of adm.soak) p(`| ${s.requests.toLocaleString('en')} | ${mib(s.rss)} | ${mib(s.heapUsed)} / ${mib(s.heapTotal)} | ${s.live ? (s.live.heap / MiB).toFixed(1) : '–'} | ${s.live ? mib(s.live.rssAfterGc) : '–'} | ${ms(s.rps, 0)} | ${ms(s.p99)} |`);
    }
    p();
  }

  if (ctx.cli?.length) {
    p('## CLI scale: `meshguard check -o json`');
    p();
    p('Generated into bench/.tmp/cli-scale-N/: copies of the valid examples of every kind but MeshTopology (renamed per copy), 1,000 documents per file, plus one MeshTopology of 100 VPCs × 10 vSwitches, 1,000 clusters and 10 meshes (with the examples\' topologies, which the copies refer to). Measured with /usr/bin/time -v around the checker process.');
    p();
    p(`Each size is checked ${args['cli-repeat']} times; the row is the median run by wall time, with every run's wall time beside it.`);
    p();
    p('| resources | files | input MiB | wall s (median) | every run, s | peak RSS MiB | exit | resources / errors / warnings reported | output MiB |');
    p('|---|---|---|---|---|---|---|---|---|');
    for (const c of ctx.cli) {
      const r = c.run;
      const every = c.runs.map((x) => x.wallSeconds.toFixed(1)).join(', ') || '–';
      if ('timedOut' in r) p(`| ${c.inputs.resources.toLocaleString('en')} | ${c.inputs.files} | ${mib(c.inputs.bytes)} | > ${r.seconds} (stopped) | ${every} | – | – | – | – |`);
      else p(`| ${c.inputs.resources.toLocaleString('en')} | ${c.inputs.files} | ${mib(c.inputs.bytes)} | ${r.wallSeconds.toFixed(1)} | ${every} | ${mib(r.peakRssBytes)} | ${r.exitCode} | ${r.summary ? `${r.summary.resources} / ${r.summary.errors} / ${r.summary.warnings}` : `no JSON: ${r.stderr.split('\n')[0]}`} | ${mib(r.outputBytes)} |`);
    }
    p();
    p(`Mix of kinds: ${Object.entries(ctx.cli.at(-1)!.inputs.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}.`);
    p();
  }

  if (api) {
    p("## The apiserver's view");
    p();
    if ('error' in api) p(`Not measured: ${api.error}`);
    else {
      p(`${api.versions}; meshguard serving (\`meshguard serve\` from source, informers on, enforce) with the chart installed in url mode. Creates of served kinds (example objects, valid and broken, renamed) straight to the REST API; for each burst the delta of kube-apiserver's histogram (bucket bounds ${api.bursts[0]?.bucketBoundsMs.join(', ')} ms, so quantiles are interpolated inside coarse buckets) and of meshguard's own meshguard_admission_duration_seconds (body received → response written). Status 403 = denied by meshguard; 422 = rejected by the CRD's schema, which the apiserver checks after the mutating and before the validating webhooks.`);
      p();
      p('| burst | wall s | statuses | client create p50 / p99 ms | webhook | type | calls | mean ms | p50 ms | p99 ms (bucket) | meshguard\'s own mean / p99 ms |');
      p('|---|---|---|---|---|---|---|---|---|---|---|');
      for (const b of api.bursts) {
        const head = `${b.creates} creates, ${b.concurrency} at a time | ${b.wallSeconds.toFixed(1)} | ${Object.entries(b.statuses).map(([k, v]) => `${k} × ${v}`).join(', ')} | ${ms(b.clientLatencyMs.p50, 1)} / ${ms(b.clientLatencyMs.p99, 1)}`;
        for (const w of b.webhooks) p(`| ${head} | ${w.webhook} | ${w.type} | ${w.calls} | ${ms(w.meanMs, 1)} | ${ms(w.p50Ms, 1)} | ${ms(w.p99Ms, 1)} (${w.p99Bucket?.[0]}–${w.p99Bucket?.[1]}) | |`);
        p(`| ${head} | all meshguard webhooks | | ${b.all.calls} | ${ms(b.all.meanMs, 1)} | | ${ms(b.all.p99Ms, 1)} (${b.all.p99Bucket?.[0]}–${b.all.p99Bucket?.[1]}) | ${ms(b.meshguardLatency?.meanMs, 2)} / ${ms(b.meshguardLatency?.p99Ms, 2)} |`);
      }
      p();
      p('On this machine kube-apiserver, etcd, meshguard and the client share 2 cores, so a concurrent burst measures mostly waiting for a CPU: the sequential burst is the webhook\'s own cost as the apiserver sees it (TLS, HTTP, the apiserver\'s webhook client and meshguard).');
    }
    p();
  }

  for (const o of ctx.others) {
    p(`## ${o.name}`);
    p();
    p(`\`node ${o.name}\` (another engineer's script, run as a child process; exit ${o.code}):`);
    p();
    p('```');
    p(o.out);
    p('```');
    p();
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = new Date();
  const startLoad = os.loadavg();
  const { main: entry, form } = entrypoint();
  log(`meshguard: ${form}`);
  const ctx: Parameters<typeof render>[0] = { started, startLoad, finishedLoad: startLoad, form, others: [], seconds: Number(args.seconds) };
  const write = () => {
    ctx.finishedLoad = os.loadavg();
    writeFileSync(args.out, render(ctx) + '\n');
  };
  if (!skip.has('admission')) {
    ctx.adm = await admission(entry, form);
    write();
  }
  if (!skip.has('cli')) {
    ctx.cli = await cliScale(entry);
    write();
  }
  if (!skip.has('apiserver')) {
    try {
      ctx.api = await apiserverView(registry, {
        bursts: [
          { creates: Number(args.creates), concurrency: Number(args['creates-concurrency']) },
          { creates: Math.min(300, Number(args.creates)), concurrency: 1 },
        ],
        log,
      });
    } catch (err) {
      ctx.api = { error: err instanceof Error ? err.message : String(err) };
    }
    write();
  }
  if (!skip.has('cidr') && existsSync(join(REPO_ROOT, 'bench/cidr-overlap.ts'))) {
    log('bench/cidr-overlap.ts');
    const r = await runScript('bench/cidr-overlap.ts', [], 300);
    ctx.others.push({ name: 'bench/cidr-overlap.ts', ...r });
  }
  if (args['audit-scan'] && existsSync(join(REPO_ROOT, 'bench/audit-scan.ts'))) {
    log('bench/audit-scan.ts');
    const r = await runScript('bench/audit-scan.ts', [], 1800);
    ctx.others.push({ name: 'bench/audit-scan.ts', ...r });
  }
  write();
  log(`wrote ${args.out}`);
}

await main();
