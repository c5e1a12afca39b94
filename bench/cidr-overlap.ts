// Overlap detection over 10k and 100k random CIDR ranges: time and memory, printed as figures (no
// assertions; the goal from issue 4 is 100k ranges under 1 s on the development machine).
//
//   node bench/cidr-overlap.ts [--sizes 10000,100000] [--seed 42] [--runs 3]
//
// Two workloads per size:
//   sparse  addresses spread over the whole IPv4 space (/16–/28) plus 20% IPv6 (/48–/64 in 2001:db8::/32):
//           like a large real plan, few overlaps
//   dense   everything inside 10.0.0.0/8 (/12–/28): many nested ranges, K (the number of pairs) large
// Phases timed separately: parse (strings → ranges, via cidr-tools) and index (the O(N log N + K) sweep).

import { performance } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { forEachOverlap, parseCidr, type Cidr } from '../src/net/cidr.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Workload = 'sparse' | 'dense';

function ipv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function randomRanges(count: number, workload: Workload, seed: number): string[] {
  const rnd = mulberry32(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    if (workload === 'sparse' && rnd() < 0.2) {
      const prefix = int(48, 64);
      const g = [int(0, 0xffff), int(0, 0xffff)].map((x) => x.toString(16));
      out.push(`2001:db8:${g[0]}:${g[1]}::/${prefix}`);
      continue;
    }
    const [lo, hi] = workload === 'sparse' ? [16, 28] : [12, 28];
    const prefix = int(lo, hi);
    const base = workload === 'sparse' ? Math.floor(rnd() * 2 ** 32) : 10 * 2 ** 24 + Math.floor(rnd() * 2 ** 24);
    const mask = 2 ** (32 - prefix);
    out.push(`${ipv4(Math.floor(base / mask) * mask)}/${prefix}`);
  }
  return out;
}

interface Figures {
  n: number;
  workload: Workload;
  pairs: number;
  parseMs: number;
  indexMs: number;
  /** CPU time (user + system) of parse + index: less sensitive than wall time to other load on the machine. */
  cpuMs: number;
  heapUsedMB: number;
  rssMB: number;
}

const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;

export function measure(n: number, workload: Workload, seed: number): Figures {
  const texts = randomRanges(n, workload, seed);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;

  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const ranges: Cidr[] = texts.map((t) => {
    const r = parseCidr(t);
    if (!r.ok) throw new Error(`bench generated an invalid CIDR ${t}: ${r.reason}`);
    return r.cidr;
  });
  const t1 = performance.now();
  let pairs = 0;
  forEachOverlap(ranges, () => {
    pairs++;
  });
  const t2 = performance.now();
  const cpu = process.cpuUsage(cpu0);

  const mem = process.memoryUsage();
  return {
    n,
    workload,
    pairs,
    parseMs: Math.round(t1 - t0),
    indexMs: Math.round(t2 - t1),
    cpuMs: Math.round((cpu.user + cpu.system) / 1000),
    heapUsedMB: mb(mem.heapUsed - heapBefore),
    rssMB: mb(mem.rss),
  };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

export function main(): void {
  const sizes = arg('--sizes', '10000,100000').split(',').map(Number);
  const seed = Number(arg('--seed', '42'));
  // Warm-up so the first row does not pay for JIT compilation.
  measure(2000, 'sparse', seed + 1);
  const runs = Number(arg('--runs', '3'));
  console.log(`cidr-overlap bench (node ${process.version}, seed ${seed}, best of ${runs} runs; first run in the last column)`);
  console.log('ranges   workload  pairs(K)    parse ms  index ms  total ms  cpu ms  heapUsed Δ MB  rss MB  first-run total ms');
  for (const n of sizes) {
    for (const workload of ['sparse', 'dense'] as const) {
      const all = Array.from({ length: runs }, () => measure(n, workload, seed));
      const first = all[0]!;
      const best = all.reduce((a, b) => (b.parseMs + b.indexMs < a.parseMs + a.indexMs ? b : a));
      console.log(
        [
          String(n).padEnd(8),
          workload.padEnd(9),
          String(best.pairs).padStart(9),
          String(best.parseMs).padStart(10),
          String(best.indexMs).padStart(9),
          String(best.parseMs + best.indexMs).padStart(9),
          String(best.cpuMs).padStart(7),
          String(first.heapUsedMB).padStart(14),
          String(best.rssMB).padStart(7),
          String(first.parseMs + first.indexMs).padStart(19),
        ].join(' '),
      );
    }
  }
  console.log(`peak rss ${mb(process.resourceUsage().maxRSS * 1024)} MB`);
}

if (import.meta.main) main();
