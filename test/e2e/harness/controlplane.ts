// A real Kubernetes control plane (etcd + kube-apiserver on loopback) for
// end-to-end tests, with the real kubectl and helm v3/v4 next to it.
//
// Binaries come from test/controlplane/provision.sh (built once from the Go
// module proxy and cached): no Docker, no kind, no downloads of release
// tarballs, since this environment reaches package registries only.
// There is no kubelet, scheduler or controller-manager: objects are stored
// and validated (schemas, admission webhooks, RBAC) but nothing reconciles them.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTROLPLANE_DIR = fileURLToPath(new URL('../../controlplane/', import.meta.url));
const PROVISION_SH = join(CONTROLPLANE_DIR, 'provision.sh');
const CRDS_SH = join(CONTROLPLANE_DIR, 'crds.sh');
const LOCAL_CRDS_DIR = join(CONTROLPLANE_DIR, 'crds');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Written to the command's stdin. */
  input?: string;
  /** Resolve with a non-zero code instead of throwing. */
  allowFail?: boolean;
  timeoutMs?: number;
}

export type Runner = (args: string[], opts?: RunOptions) => Promise<RunResult>;

export interface StartOptions {
  /** Upper bound for kube-apiserver to report /readyz ok. Default 60 s. */
  readyTimeoutMs?: number;
  /** Appended to the kube-apiserver command line (later flags win). */
  extraApiServerArgs?: string[];
  /** Keep the temp dir (certs, logs, etcd data) after stop(), for debugging. */
  keepTmpDir?: boolean;
}

export interface Versions {
  k8s: string;
  etcd: string;
  helm3: string;
  helm4: string;
}

export interface ControlPlane {
  /** Path of an admin (system:masters) kubeconfig. */
  kubeconfig: string;
  /** https://127.0.0.1:<port> */
  server: string;
  binDir: string;
  tmpDir: string;
  /** CA that signed the apiserver's serving cert, the admin client cert and webhookTls. */
  caFile: string;
  /** A serving cert for a webhook on https://127.0.0.1:<port> (SANs 127.0.0.1, localhost); caBundle is caFile. */
  webhookTls: { certFile: string; keyFile: string };
  versions: Versions;
  kubectl: Runner;
  /** helm v3 */
  helm: Runner;
  helm4: Runner;
  /** Applies the upstream CRDs (crds.sh) and the ones in test/controlplane/crds, waits until Established; returns the CRD names. */
  applyUpstreamCrds: () => Promise<string[]>;
  /**
   * Stops kube-apiserver only (etcd and its data stay), runs `whileDown`, then starts it again on the same
   * port with the same flags and waits for /readyz: for clients that must survive an apiserver restart.
   */
  restartApiServer: (whileDown?: () => Promise<void>) => Promise<void>;
  stop: () => Promise<void>;
}

// ---------------------------------------------------------------------------
// process helpers

function run(cmd: string, args: string[], opts: RunOptions & { env?: NodeJS.ProcessEnv; teeStderr?: boolean } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (opts.teeStderr) process.stderr.write(d);
    });
    const timer = opts.timeoutMs
      ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs)
      : undefined;
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${cmd}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? 128, stdout, stderr };
      if (result.code !== 0 && !opts.allowFail) {
        const why = signal ? `killed by ${signal}${opts.timeoutMs ? ` (timeout ${opts.timeoutMs} ms?)` : ''}` : `exit ${result.code}`;
        reject(new Error(`${cmd} ${args.join(' ')} failed (${why}):\n${tail(stderr || stdout, 30)}`));
      } else {
        resolve(result);
      }
    });
    child.stdin.on('error', () => {}); // the command may exit before reading stdin
    child.stdin.end(opts.input ?? '');
  });
}

function tail(text: string, lines: number): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

function lastLine(text: string): string {
  return tail(text, 1).trim();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------
// provisioning (once per process; provision.sh itself is idempotent and locked)

let provisioned: Promise<{ binDir: string; versions: Versions }> | undefined;

export function provision(): Promise<{ binDir: string; versions: Versions }> {
  provisioned ??= (async () => {
    // Progress goes straight to our stderr: a cold build takes many minutes
    // and silence would look like a hang.
    const res = await run('bash', [PROVISION_SH], { allowFail: true, teeStderr: true });
    if (res.code !== 0) {
      throw new Error(`control plane provisioning failed: ${PROVISION_SH} exited ${res.code}:\n${tail(res.stderr, 40)}`);
    }
    const binDir = lastLine(res.stdout);
    const env = Object.fromEntries(
      readFileSync(join(binDir, 'versions.env'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('='))
        .map((l) => l.split('=', 2) as [string, string]),
    );
    const need = (k: string): string => {
      const v = env[k];
      if (!v) throw new Error(`${binDir}/versions.env lacks ${k}`);
      return v;
    };
    return {
      binDir,
      versions: { k8s: need('K8S_VERSION'), etcd: need('ETCD_VERSION'), helm3: need('HELM3_VERSION'), helm4: need('HELM4_VERSION') },
    };
  })();
  // A failed attempt should not poison later ones (e.g. a retried test).
  provisioned.catch(() => (provisioned = undefined));
  return provisioned;
}

// ---------------------------------------------------------------------------
// PKI: throwaway, valid for two days, made with the system openssl.

interface Pki {
  caCrt: string;
  apiserverCrt: string;
  apiserverKey: string;
  adminCrt: string;
  adminKey: string;
  webhookCrt: string;
  webhookKey: string;
  saKey: string;
  saPub: string;
}

async function makePki(dir: string): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  const p = (f: string): string => join(dir, f);
  const openssl = (args: string[]): Promise<RunResult> => run('openssl', args);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  await openssl(['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '2', '-subj', '/CN=meshguard-e2e-ca']);

  const sign = async (name: string, subj: string, ext: string): Promise<void> => {
    await writeFile(p(`${name}.ext`), ext);
    await openssl(['req', '-new', ...ec, '-keyout', p(`${name}.key`), '-out', p(`${name}.csr`), '-subj', subj]);
    await openssl(['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial',
      '-days', '2', '-out', p(`${name}.crt`), '-extfile', p(`${name}.ext`)]);
  };
  // 10.0.0.1 is the in-cluster "kubernetes" Service IP for 10.0.0.0/24.
  await sign('apiserver', '/CN=kube-apiserver',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,IP:10.0.0.1,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc\n' +
    'extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  // For the webhook server under test: same CA, so caBundle = caFile.
  await sign('webhook', '/CN=meshguard-e2e-webhook',
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n');
  await sign('admin', '/O=system:masters/CN=meshguard-e2e-admin', 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n');
  await openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', p('sa.key')]);
  await openssl(['pkey', '-in', p('sa.key'), '-pubout', '-out', p('sa.pub')]);

  return {
    caCrt: p('ca.crt'), apiserverCrt: p('apiserver.crt'), apiserverKey: p('apiserver.key'),
    adminCrt: p('admin.crt'), adminKey: p('admin.key'), webhookCrt: p('webhook.crt'), webhookKey: p('webhook.key'), saKey: p('sa.key'), saPub: p('sa.pub'),
  };
}

// ---------------------------------------------------------------------------
// daemons

interface Daemon {
  name: string;
  child: ChildProcess;
  logFile: string;
  exited: Promise<void>;
  exitInfo: () => string | undefined;
  watchdog: ChildProcess | undefined;
}

// The exit hooks below cannot run if this process is SIGKILLed (e.g. a hung
// test runner killed from outside). A watchdog shell holds the read end of a
// pipe from us; when we die the kernel closes it and the watchdog kills the
// daemon, so no apiserver/etcd outlives the test process.
function startWatchdog(pid: number, alsoRemove?: string): ChildProcess {
  const w = spawn('bash', ['-c', 'read -r _; kill -KILL "$1" 2>/dev/null; [ -n "$2" ] && sleep 1 && rm -rf "$2"; true',
    'meshguard-watchdog', String(pid), alsoRemove ?? ''], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  w.unref();
  (w.stdin as Socket | null)?.unref();
  w.on('error', () => {});
  return w;
}

function startDaemon(name: string, bin: string, args: string[], logFile: string, env: NodeJS.ProcessEnv, removeOnOrphan?: string): Daemon {
  const fd = openSync(logFile, 'a');
  const child = spawn(bin, args, { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  // Don't let a forgotten stop() hold the test process open; the exit hook kills it.
  child.unref();
  let info: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      info = signal ? `killed by ${signal}` : `exited ${code}`;
      resolve();
    });
    child.on('error', (err) => {
      info = `failed to start: ${err.message}`;
      resolve();
    });
  });
  const watchdog = child.pid === undefined ? undefined : startWatchdog(child.pid, removeOnOrphan);
  return { name, child, logFile, exited, exitInfo: () => info, watchdog };
}

// The cause of a failed start is usually an error line followed by pages of
// info lines, so error lines (klog E/F, etcd JSON level) come first.
function logTail(d: Daemon, lines = 15): string {
  let text: string;
  try {
    text = readFileSync(d.logFile, 'utf8');
  } catch {
    return '(no log)';
  }
  const errors = text.split('\n').filter((l) => /^[EF]\d{4} |"level":"(error|fatal|panic)"/.test(l)).slice(-10);
  return (errors.length ? `error lines:\n${errors.join('\n')}\n` : '') + `last lines:\n${tail(text, lines)}`;
}

async function stopDaemon(d: Daemon): Promise<void> {
  d.watchdog?.kill('SIGKILL');
  if (d.exitInfo() !== undefined) return;
  d.child.kill('SIGTERM');
  const t = setTimeout(() => d.child.kill('SIGKILL'), 5000);
  await d.exited;
  clearTimeout(t);
}

// Everything still running when the process exits (crash, forgotten stop,
// Ctrl-C) is killed synchronously here, so no etcd/apiserver is left behind.
interface Live {
  daemons: Daemon[];
  tmpDir: string;
  keepTmpDir: boolean;
}
const live = new Set<Live>();
let hooksInstalled = false;

function killAllSync(): void {
  for (const l of live) {
    for (const d of l.daemons) {
      d.watchdog?.kill('SIGKILL');
      if (d.exitInfo() === undefined) d.child.kill('SIGKILL');
    }
    if (!l.keepTmpDir) rmSync(l.tmpDir, { recursive: true, force: true });
  }
  live.clear();
}

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', killAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      killAllSync();
      process.exit(128 + ({ SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const)[sig]);
    });
  }
}

// GET an apiserver path with the admin cert; resolves with status and body.
function getPath(server: string, path: string, pki: Pki): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${server}${path}`, {
      ca: readFileSync(pki.caCrt), cert: readFileSync(pki.adminCrt), key: readFileSync(pki.adminKey),
      agent: false, timeout: 5000,
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

async function waitEtcd(d: Daemon, url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    if (d.exitInfo() !== undefined) throw new Error(`etcd ${d.exitInfo()} before becoming healthy; last log lines:\n${logTail(d)}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
      last = await res.text();
      if (res.ok && last.includes('"health":"true"')) return;
    } catch (err) {
      last = String(err);
    }
    await sleep(200);
  }
  throw new Error(`etcd not healthy after ${timeoutMs} ms (last: ${last}); last log lines:\n${logTail(d)}`);
}

async function waitReady(d: Daemon, server: string, pki: Pki, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (d.exitInfo() !== undefined) {
      throw new Error(`kube-apiserver ${d.exitInfo()} before becoming ready; last log lines:\n${logTail(d)}`);
    }
    try {
      const res = await getPath(server, '/readyz', pki);
      if (res.status === 200) return;
      last = `HTTP ${res.status}: ${res.body.trim()}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await sleep(250);
  }
  const verbose = await getPath(server, '/readyz?verbose', pki).then((r) => r.body, () => '');
  throw new Error(`kube-apiserver not ready after ${timeoutMs} ms at ${server} (last: ${last})\n${tail(verbose, 20)}\n` +
    `last log lines:\n${logTail(d)}`);
}

// ---------------------------------------------------------------------------

/** Waits until every named CRD reports condition Established (and NamesAccepted). */
export async function waitForCrdsEstablished(kubectl: Runner, names: string[], timeoutMs = 60_000): Promise<void> {
  if (names.length === 0) return;
  const res = await kubectl(
    ['wait', '--for=condition=Established', `--timeout=${Math.ceil(timeoutMs / 1000)}s`, ...names.map((n) => `crd/${n}`)],
    { allowFail: true, timeoutMs: timeoutMs + 10_000 },
  );
  if (res.code !== 0) throw new Error(`CRDs not Established within ${timeoutMs} ms:\n${res.stderr || res.stdout}`);
}

/** Applies every *.yaml in `dirs` server-side (Istio's and cert-manager's CRDs are too big for client-side apply's annotation) and returns the CRD names. */
export async function applyCrdDirs(kubectl: Runner, dirs: string[]): Promise<string[]> {
  const names: string[] = [];
  for (const dir of dirs) {
    const files = (await readdir(dir)).filter((f) => f.endsWith('.yaml')).sort();
    for (const f of files) {
      const res = await kubectl(['apply', '--server-side', '--force-conflicts', '--field-manager=meshguard-e2e', '-o', 'name', '-f', join(dir, f)]);
      for (const line of res.stdout.split('\n')) {
        const m = /^customresourcedefinition\.apiextensions\.k8s\.io\/(.+)$/.exec(line.trim());
        if (m?.[1]) names.push(m[1]);
      }
    }
  }
  return names;
}

export async function startControlPlane(opts: StartOptions = {}): Promise<ControlPlane> {
  const { binDir, versions } = await provision();
  const tmpDir = await mkdtemp(join(tmpdir(), 'meshguard-cp-'));
  const entry: Live = { daemons: [], tmpDir, keepTmpDir: opts.keepTmpDir ?? false };
  installExitHooks();
  live.add(entry);

  // Proxy variables must not reach the apiserver: it would send webhook calls
  // to a proxy. (Go already never proxies loopback, this is belt and braces.)
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy']) delete env[k];
  env.NO_PROXY = env.no_proxy = '127.0.0.1,localhost';

  const stop = async (): Promise<void> => {
    if (!live.has(entry)) return;
    // apiserver first: with etcd gone it would log a storm of retries.
    for (const d of [...entry.daemons].reverse()) await stopDaemon(d);
    live.delete(entry);
    if (!entry.keepTmpDir) await rm(tmpDir, { recursive: true, force: true });
  };

  try {
    const pki = await makePki(join(tmpDir, 'pki'));

    const [clientPort, peerPort, apiPort] = [await freePort(), await freePort(), await freePort()];
    const etcdUrl = `http://127.0.0.1:${clientPort}`;
    const peerUrl = `http://127.0.0.1:${peerPort}`;
    const etcd = startDaemon('etcd', join(binDir, 'etcd'), [
      '--name=default', `--data-dir=${join(tmpDir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      // Throwaway data: fsync only costs time.
      '--unsafe-no-fsync', '--log-level=warn',
    ], join(tmpDir, 'etcd.log'), env, entry.keepTmpDir ? undefined : tmpDir);
    entry.daemons.push(etcd);
    await waitEtcd(etcd, etcdUrl, 30_000);

    const server = `https://127.0.0.1:${apiPort}`;
    // Flags as controller-runtime's envtest uses; ServiceAccount admission is
    // off because no controller-manager creates token secrets/SAs here.
    const apiserverArgs = [
      `--etcd-servers=${etcdUrl}`,
      '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${apiPort}`,
      `--cert-dir=${join(tmpDir, 'apiserver-certs')}`,
      `--tls-cert-file=${pki.apiserverCrt}`, `--tls-private-key-file=${pki.apiserverKey}`,
      `--client-ca-file=${pki.caCrt}`,
      '--authorization-mode=RBAC',
      '--disable-admission-plugins=ServiceAccount',
      `--service-account-key-file=${pki.saPub}`, `--service-account-signing-key-file=${pki.saKey}`,
      `--service-account-issuer=${server}`,
      '--service-cluster-ip-range=10.0.0.0/24',
      // The reconciler for the "kubernetes" Service refuses a loopback
      // advertise address, and nothing in-cluster needs that Service.
      '--endpoint-reconciler-type=none',
      '--allow-privileged=true',
      ...(opts.extraApiServerArgs ?? []),
    ];
    const startApiServer = (): Daemon => startDaemon('kube-apiserver', join(binDir, 'kube-apiserver'), apiserverArgs, join(tmpDir, 'apiserver.log'), env);
    let apiserver = startApiServer();
    entry.daemons.push(apiserver);
    await waitReady(apiserver, server, pki, opts.readyTimeoutMs ?? 60_000);
    const restartApiServer = async (whileDown?: () => Promise<void>): Promise<void> => {
      const at = entry.daemons.indexOf(apiserver);
      await stopDaemon(apiserver);
      try {
        await whileDown?.();
      } finally {
        apiserver = startApiServer();
        entry.daemons.splice(at, 1, apiserver); // same place: stop() stops the apiserver before etcd
        await waitReady(apiserver, server, pki, opts.readyTimeoutMs ?? 60_000);
      }
    };

    const kubeconfig = join(tmpDir, 'kubeconfig');
    await writeFile(kubeconfig, [
      'apiVersion: v1', 'kind: Config', 'current-context: meshguard-e2e',
      'clusters:', '- name: meshguard-e2e', '  cluster:', `    server: ${server}`, `    certificate-authority: ${pki.caCrt}`,
      'users:', '- name: admin', '  user:', `    client-certificate: ${pki.adminCrt}`, `    client-key: ${pki.adminKey}`,
      'contexts:', '- name: meshguard-e2e', '  context: {cluster: meshguard-e2e, user: admin, namespace: default}', '',
    ].join('\n'), { mode: 0o600 });

    // Keep kubectl/helm caches and config inside the temp dir: nothing from
    // $HOME leaks in, nothing leaks out.
    const toolEnv: NodeJS.ProcessEnv = {
      ...env, KUBECONFIG: kubeconfig, KUBECACHEDIR: join(tmpDir, 'kubecache'),
      HELM_CACHE_HOME: join(tmpDir, 'helm', 'cache'), HELM_CONFIG_HOME: join(tmpDir, 'helm', 'config'),
      HELM_DATA_HOME: join(tmpDir, 'helm', 'data'),
    };
    const tool = (bin: string): Runner => (args, o = {}) =>
      run(join(binDir, bin), args, { ...o, env: toolEnv, timeoutMs: o.timeoutMs ?? 120_000 });
    const kubectl = tool('kubectl');

    return {
      kubeconfig, server, binDir, tmpDir, caFile: pki.caCrt, versions,
      webhookTls: { certFile: pki.webhookCrt, keyFile: pki.webhookKey },
      kubectl, helm: tool('helm'), helm4: tool('helm4'),
      applyUpstreamCrds: async () => {
        const res = await run('bash', [CRDS_SH], { allowFail: true });
        if (res.code !== 0) throw new Error(`${CRDS_SH} failed (exit ${res.code}):\n${tail(res.stderr, 30)}`);
        const names = await applyCrdDirs(kubectl, [lastLine(res.stdout), LOCAL_CRDS_DIR]);
        await waitForCrdsEstablished(kubectl, names);
        return names;
      },
      restartApiServer,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

