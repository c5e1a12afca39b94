// Child servers for the bench and the load tests: `meshguard serve` (src/cli/main.ts → startServer) and
// the floor server, each in its own process so its RSS and CPU are its own. Linux /proc for RSS/CPU.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './corpus.ts';

export const MAIN = join(REPO_ROOT, 'src/cli/main.ts');

/** The NODE_OPTIONS the container image sets (Dockerfile ENV): the bench runs meshguard as the image does. */
export function containerNodeOptions(): string {
  const m = /NODE_OPTIONS="([^"]*)"/.exec(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
  if (!m) throw new Error('Dockerfile sets no NODE_OPTIONS="…"');
  return m[1] as string;
}
export const FLOOR = join(REPO_ROOT, 'bench/floor-server.ts');

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (a && typeof a === 'object' ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** Resident set size of a process in bytes (VmRSS), and its peak (VmHWM). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

/** CPU seconds (user + system) a process has used so far. */
export function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100; // USER_HZ is 100 on Linux
}

export const MiB = 1024 * 1024;

export interface ChildServer {
  name: string;
  pid: number;
  port: number;
  healthPort?: number;
  child: ChildProcess;
  stderr: () => string;
  /** SIGTERM, then the exit code (or the signal). */
  stop: (signal?: NodeJS.Signals) => Promise<number | string | null>;
}

function track(name: string, child: ChildProcess, port: number, healthPort?: number): ChildServer {
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-20_000)));
  const server: ChildServer = {
    name,
    pid: child.pid as number,
    port,
    child,
    stderr: () => err,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode ?? child.signalCode;
      child.kill(signal);
      const [code, sig] = (await once(child, 'exit')) as [number | null, string | null];
      return code ?? sig;
    },
  };
  if (healthPort !== undefined) server.healthPort = healthPort;
  return server;
}

export interface MeshguardChildOptions {
  /** Entry point: src/cli/main.ts (default) or a compiled main.js. */
  main?: string;
  cert: string;
  key: string;
  topology?: string;
  mode?: string;
  /** Where the JSON log lines go (default /dev/null: pino's synchronous writes are still paid for). */
  logFile?: string;
  args?: string[];
  env?: Record<string, string>;
  port?: number;
}

/** `node src/cli/main.ts serve …` on loopback; resolves when /readyz answers 200. */
export async function startMeshguardChild(opts: MeshguardChildOptions): Promise<ChildServer> {
  const port = opts.port ?? (await freePort());
  const healthPort = await freePort();
  const out = openSync(opts.logFile ?? '/dev/null', 'a');
  const args = [
    opts.main ?? MAIN, 'serve', '--tls-cert', opts.cert, '--tls-key', opts.key, '--port', String(port), '--health-port', String(healthPort),
    '--host', '127.0.0.1', '--mode', opts.mode ?? 'enforce', ...(opts.topology ? ['--topology', opts.topology] : []), ...(opts.args ?? []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: containerNodeOptions(), ...opts.env };
  delete env.KUBECONFIG; // no cluster lookups unless asked for
  const child = spawn(process.execPath, args, { stdio: ['ignore', out, 'pipe'], env });
  const server = track('meshguard', child, port, healthPort);
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`meshguard exited ${child.exitCode}: ${server.stderr()}`);
    const res = await fetch(`http://127.0.0.1:${healthPort}/readyz`).catch(() => undefined);
    if (res?.status === 200) break;
    if (Date.now() > deadline) {
      await server.stop('SIGKILL');
      throw new Error(`meshguard not ready in 30 s: ${server.stderr()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return server;
}

/** The floor: bare node:https, same certificate and TLS settings, answers allowed:true with the uid. */
export async function startFloorChild(opts: { cert: string; key: string }): Promise<ChildServer> {
  const child = spawn(process.execPath, [FLOOR, opts.cert, opts.key], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.setEncoding('utf8');
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (d: string) => {
      out += d;
      const m = /"port":(\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`floor server exited ${code}`)));
  });
  return track('floor', child, port);
}
