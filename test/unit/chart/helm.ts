// Helm for the chart tests: the binaries test/controlplane/provision.sh builds (and caches) from the
// Go module proxy. No helm on PATH is used, so every machine tests the same pinned versions.
// If provisioning fails, every caller fails with provision.sh's reason: the chart tests never skip.

import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const CHART = join(REPO, 'charts', 'meshguard');
export const CI_DIR = join(CHART, 'ci');
export const HELM_MAJORS = [3, 4] as const;
export type HelmMajor = (typeof HELM_MAJORS)[number];

let binDir: string | undefined;

/** The directory holding helm (v3) and helm4, from provision.sh's last stdout line. */
export function helmBinDir(): string {
  if (binDir !== undefined) return binDir;
  const script = join(REPO, 'test', 'controlplane', 'provision.sh');
  if (!existsSync(script)) throw new Error(`${script} is missing: it provisions the helm binaries the chart tests use`);
  // stderr is inherited: a cold cache compiles for minutes and provision.sh prints its progress there.
  const r = spawnSync('bash', [script], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const last = r.stdout?.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last || !existsSync(last)) {
    throw new Error(`test/controlplane/provision.sh failed (exit ${r.status}${r.error ? `, ${r.error.message}` : ''}); cannot run helm`);
  }
  binDir = last;
  return binDir;
}

export function helmPath(major: HelmMajor): string {
  const p = join(helmBinDir(), major === 3 ? 'helm' : 'helm4');
  if (!existsSync(p)) throw new Error(`provision.sh reported ${helmBinDir()} but ${p} is not there`);
  return p;
}

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export function helm(major: HelmMajor, args: readonly string[]): HelmResult {
  // Helm's own dirs under test/.tmp: no user repositories or plugins leak into the tests; and no
  // cluster: nothing here may reach one (KUBECONFIG points nowhere).
  const tmp = join(REPO, 'test', '.tmp');
  const r = spawnSync(helmPath(major), args, {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      HELM_CONFIG_HOME: join(tmp, 'helm-config'),
      HELM_CACHE_HOME: join(tmp, 'helm-cache'),
      HELM_DATA_HOME: join(tmp, 'helm-data'),
      KUBECONFIG: join(tmp, 'no-cluster.kubeconfig'),
    },
  });
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error?.message ?? '') };
}

/** The ci/*-values.yaml scenarios, by name ("default", "helm-tls", ...). */
export function scenarios(): string[] {
  return readdirSync(CI_DIR)
    .filter((f) => f.endsWith('-values.yaml'))
    .map((f) => f.slice(0, -'-values.yaml'.length))
    .sort();
}

export function scenarioFile(name: string): string {
  return join(CI_DIR, `${name}-values.yaml`);
}

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface RenderOptions {
  major?: HelmMajor;
  release?: string;
  namespace?: string;
  /** ci scenario names, applied in order. */
  scenarios?: readonly string[];
  /** --set key=value pairs. */
  set?: Record<string, string>;
  kubeVersion?: string;
}

export const RELEASE = 'mg';
export const NAMESPACE = 'meshguard-system';

export function templateArgs(o: RenderOptions): string[] {
  const args = ['template', o.release ?? RELEASE, CHART, '--namespace', o.namespace ?? NAMESPACE];
  for (const s of o.scenarios ?? []) args.push('--values', scenarioFile(s));
  for (const [k, v] of Object.entries(o.set ?? {})) args.push('--set', `${k}=${v}`);
  if (o.kubeVersion) args.push('--kube-version', o.kubeVersion);
  return args;
}

const cache = new Map<string, K8sObject[]>();

/** `helm template` parsed into objects; throws with helm's stderr when rendering fails. */
export function render(o: RenderOptions = {}): K8sObject[] {
  const args = templateArgs(o);
  const key = `${o.major ?? 3} ${args.join(' ')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const r = helm(o.major ?? 3, args);
  if (r.status !== 0) throw new Error(`helm ${args.join(' ')} failed (exit ${r.status}):\n${r.stderr}`);
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(r.stdout)) {
    if (doc.errors.length > 0) throw new Error(`helm ${args.join(' ')} rendered invalid YAML: ${doc.errors[0]?.message}`);
    const obj: unknown = doc.toJS();
    if (obj !== null && obj !== undefined) objects.push(obj as K8sObject);
  }
  cache.set(key, objects);
  return objects;
}

export function ofKind(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

export function one(objects: readonly K8sObject[], kind: string): K8sObject {
  const found = ofKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}, rendered ${found.length}`);
  return found[0] as K8sObject;
}
