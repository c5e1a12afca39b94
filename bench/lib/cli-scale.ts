// CLI scale: `meshguard check` over 100k generated mesh resources plus a MeshTopology of 1k clusters,
// in a child process under /usr/bin/time -v (wall time and peak RSS of the checker itself).

import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { defaultContext } from '../../src/engine/context.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import type { Registry } from '../../src/engine/registry.ts';
import type { KObject } from '../../src/engine/types.ts';
import { exampleTopology, exampleTopologyObjects, isTopologyObject, readExampleDocuments } from './corpus.ts';

const REGIONS = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen', 'cn-qingdao', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-chengdu', 'cn-hongkong', 'ap-southeast-1'];
const ZONE_LETTERS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];

/** 100 VPCs × 10 vSwitches, 1,000 clusters (10 per VPC), 10 meshes of 100 clusters; no overlapping ranges, no errors. */
export function scaleTopology(clusters = 1000): KObject {
  const vpcs: unknown[] = [];
  const cl: Array<{ id: string; [k: string]: unknown }> = [];
  const vpcCount = Math.ceil(clusters / 10);
  for (let v = 0; v < vpcCount; v++) {
    const region = REGIONS[v % REGIONS.length] as string;
    vpcs.push({
      id: `vpc-scale-${v}`,
      region,
      cidrs: [`10.${v}.0.0/16`],
      vSwitches: Array.from({ length: 10 }, (_, s) => ({ id: `vsw-scale-${v}-${s}`, zone: `${region}-${ZONE_LETTERS[s % ZONE_LETTERS.length]}`, cidr: `10.${v}.${s * 16}.0/20` })),
    });
  }
  for (let c = 0; c < clusters; c++) {
    const v = Math.floor(c / 10);
    const region = REGIONS[v % REGIONS.length] as string;
    cl.push({
      id: `c-scale-${c}`,
      name: `scale-${c}`,
      region,
      vpc: `vpc-scale-${v}`,
      network: `network-${v}`,
      networkPlugin: 'flannel', // pod ranges of their own, outside the VPC (Terway would take vSwitch addresses)
      zones: [`${region}-${ZONE_LETTERS[c % 10]}`],
      podCIDRs: [`172.${16 + (c >> 8)}.${c & 255}.0/24`],
      serviceCIDRs: [`100.${64 + (c >> 8)}.${c & 255}.0/24`],
    });
  }
  const meshes = Array.from({ length: Math.ceil(clusters / 100) }, (_, m) => ({
    name: `mesh-${m}`,
    namespace: `mesh-${m}-system`,
    trustDomain: `mesh-${m}.local`,
    vpc: `vpc-scale-${m * 10}`,
    clusters: cl.slice(m * 100, m * 100 + 100).map((c) => c.id),
  }));
  return { apiVersion: 'meshguard.io/v1alpha1', kind: 'MeshTopology', metadata: { name: 'bench-scale' }, spec: { vpcs, clusters: cl, meshes } };
}

function errorCount(registry: Registry, o: KObject, topology: ReturnType<typeof exampleTopology>['view']): number {
  const ctx = defaultContext({ namespace: o.metadata?.namespace ?? '', topology });
  return evaluate(registry, o, ctx, { defaults: true, validate: true }).findings.filter((f) => f.severity === 'error').length;
}

/**
 * Copies of the valid examples (every kind but MeshTopology), renamed `<name>-<i>` — or, for kinds whose
 * name is fixed (ASMPvlConfig `default`, the `istio` ConfigMap), moved to namespace `<ns>-<i>` — whichever
 * keeps the example as clean as it was.
 */
export function scaleResources(registry: Registry, count: number): { objects: KObject[]; byKind: Record<string, number> } {
  const topology = exampleTopology().view;
  const templates = readExampleDocuments()
    .filter((d) => !d.broken && !isTopologyObject(d.object) && registry.forObject(d.object))
    .map((d) => {
      const o = d.object;
      const base = errorCount(registry, o, topology);
      const renamed = (i: number): KObject => ({ ...o, metadata: { ...o.metadata, name: `${o.metadata?.name}-${i}` } });
      const moved = (i: number): KObject => ({ ...o, metadata: { ...o.metadata, namespace: `${o.metadata?.namespace ?? 'default'}-${i}` } });
      if (registry.forObject(renamed(1)) && errorCount(registry, renamed(1), topology) <= base) return renamed;
      if (registry.forObject(moved(1)) && errorCount(registry, moved(1), topology) <= base) return moved;
      return renamed;
    });
  const objects: KObject[] = [];
  const byKind: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const o = (templates[i % templates.length] as (i: number) => KObject)(Math.floor(i / templates.length));
    objects.push(o);
    byKind[String(o.kind)] = (byKind[String(o.kind)] ?? 0) + 1;
  }
  return { objects, byKind };
}

export interface ScaleInputs {
  dir: string;
  resources: number;
  clusters: number;
  files: number;
  bytes: number;
  byKind: Record<string, number>;
}

export function writeScaleInputs(registry: Registry, dir: string, resources = 100_000, clusters = 1000, perFile = 1000): ScaleInputs {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'resources'), { recursive: true });
  const topoFile = join(dir, 'topology.yaml');
  writeFileSync(topoFile, [scaleTopology(clusters), ...exampleTopologyObjects()].map((o) => stringify(o)).join('---\n'));
  let bytes = statSync(topoFile).size;
  const { objects, byKind } = scaleResources(registry, resources);
  let files = 0;
  for (let i = 0; i < objects.length; i += perFile) {
    const file = join(dir, 'resources', `part-${String(files++).padStart(4, '0')}.yaml`);
    writeFileSync(file, objects.slice(i, i + perFile).map((o) => stringify(o, { lineWidth: 0 })).join('---\n'));
    bytes += statSync(file).size;
  }
  return { dir, resources, clusters, files, bytes, byKind };
}

export interface ScaleRun {
  wallSeconds: number;
  peakRssBytes: number;
  exitCode: number;
  summary?: { resources: number; errors: number; warnings: number };
  findings?: number;
  outputBytes: number;
  stderr: string;
}

/** `/usr/bin/time -v node <main> check <dir> -o json`; falls back to the child's own wall time without /usr/bin/time. */
export async function runScaleCheck(main: string, dir: string, outFile: string): Promise<ScaleRun> {
  const useTime = existsSync('/usr/bin/time');
  const cmd = useTime ? '/usr/bin/time' : process.execPath;
  const args = [...(useTime ? ['-v', process.execPath] : []), main, 'check', dir, '-o', 'json'];
  const started = performance.now();
  const { code, stderr, stdout } = await new Promise<{ code: number; stderr: string; stdout: Buffer }>((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (c) => resolve({ code: c ?? -1, stderr: err, stdout: Buffer.concat(out) }));
  });
  const wallMeasured = (performance.now() - started) / 1000;
  writeFileSync(outFile, stdout);
  const wall = /Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (?:(\d+):)?(\d+):([\d.]+)/.exec(stderr);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  const run: ScaleRun = {
    wallSeconds: wall ? Number(wall[1] ?? 0) * 3600 + Number(wall[2]) * 60 + Number(wall[3]) : wallMeasured,
    peakRssBytes: rss ? Number(rss[1]) * 1024 : NaN,
    exitCode: code,
    outputBytes: stdout.length,
    stderr: stderr.split('\n').filter((l) => !/^\s/.test(l) && !l.startsWith('Command being timed')).join('\n').slice(0, 2000),
  };
  try {
    const parsed = JSON.parse(stdout.toString('utf8')) as { summary: ScaleRun['summary']; findings: unknown[] };
    if (parsed.summary) run.summary = parsed.summary;
    run.findings = parsed.findings.length;
  } catch {
    // not JSON: the stderr excerpt says why
  }
  return run;
}
