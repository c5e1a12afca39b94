// meshguard itself in the e2e: `meshguard serve` as a child process on loopback with the harness
// certificate, and the chart installed with webhook.url pointing at it (the harness plays cainjector).

import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ControlPlane } from './controlplane.ts';

export const MAIN = fileURLToPath(new URL('../../../src/cli/main.ts', import.meta.url));
export const CHART = fileURLToPath(new URL('../../../charts/meshguard', import.meta.url));

export interface Meshguard {
  pid: number;
  port: number;
  healthPort: number;
  url: string;
  /** Parsed JSON log lines so far. */
  logs: () => Array<Record<string, unknown>>;
  /** SIGTERM (unless it has already exited), and the exit code. */
  stop: () => Promise<number | null>;
  /** SIGKILL: a crash, nothing released. */
  kill: () => Promise<void>;
}

export interface StartOptions {
  port?: number;
  mode?: string;
  args?: string[];
  env?: Record<string, string>;
  /** Kubeconfig to serve with (default: the control plane's admin one). */
  kubeconfig?: string;
  /** Wait for /readyz (certificate loaded, informers synced) before returning (default true); false: return once it listens. */
  waitReady?: boolean;
}

export async function startMeshguard(cp: ControlPlane, opts: StartOptions = {}): Promise<Meshguard> {
  const args = [
    MAIN, 'serve',
    '--tls-cert', cp.webhookTls.certFile, '--tls-key', cp.webhookTls.keyFile,
    '--port', String(opts.port ?? 0), '--health-port', '0', '--host', '127.0.0.1',
    '--kubeconfig', opts.kubeconfig ?? cp.kubeconfig, '--mode', opts.mode ?? 'enforce',
    ...(opts.args ?? []),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  child.stdout?.on('data', (d: Buffer) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        lines.push(JSON.parse(line));
      } catch {
        lines.push({ raw: line });
      }
    }
  });
  const started = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`meshguard did not start in 30 s: ${stderr}`)), 30_000);
    const poll = setInterval(() => {
      const s = lines.find((l) => l.event === 'server.started');
      if (s) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve(s);
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`meshguard exited ${code}: ${stderr}`));
    });
  });
  const port = Number(started.admissionPort);
  const healthPort = Number(started.healthPort);
  // Ready = certificate loaded and informers synced.
  const deadline = Date.now() + 30_000;
  while (opts.waitReady ?? true) {
    const res = await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined);
    if (res?.status === 200) break;
    if (Date.now() > deadline) throw new Error(`meshguard not ready: ${await res?.text()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    pid: child.pid as number,
    port,
    healthPort,
    url: `https://127.0.0.1:${port}`,
    logs: () => lines,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** `helm install` of the chart in url mode against the running server (caBundle = the harness CA). */
export async function installChart(cp: ControlPlane, mg: { url: string }, opts: { release?: string; namespace?: string; set?: string[]; helm?: 'helm' | 'helm4' } = {}) {
  const release = opts.release ?? 'meshguard';
  const namespace = opts.namespace ?? 'meshguard';
  const caBundle = Buffer.from(readFileSync(cp.caFile)).toString('base64');
  const helm = opts.helm === 'helm4' ? cp.helm4 : cp.helm;
  await helm([
    'upgrade', '--install', release, CHART, '-n', namespace, '--create-namespace',
    '-f', `${CHART}/ci/url-values.yaml`, '--set', `webhook.url=${mg.url}`, '--set', `webhook.caBundle=${caBundle}`,
    ...(opts.set ?? []).flatMap((s) => ['--set', s]), '--wait=false',
  ]);
  return { release, namespace };
}

/** Waits until the apiserver actually routes to the webhook (configuration changes propagate asynchronously). */
export async function waitForWebhook(probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('webhook configuration did not take effect in time');
}
