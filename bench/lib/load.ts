// A small HTTPS load generator on node:https with keep-alive: a fixed number of workers each sending
// the next body as soon as the previous answer arrived (closed loop, for throughput and latency at a
// concurrency), or requests started on a fixed schedule (open loop, for a steady rate). Every answer
// is checked: HTTP 200 and the request's uid echoed; anything else is counted as an error by kind.

import https from 'node:https';

export interface RequestBody {
  path: string;
  payload: Buffer;
  uid: string;
  /** For per-label latency figures (e.g. the kind and webhook). */
  label?: string;
}

export interface LoadOptions {
  port: number;
  host?: string;
  ca: string | Buffer;
  bodies: readonly RequestBody[];
  /** Closed loop: this many requests in flight at all times. */
  concurrency: number;
  /** Stop after this long (ms) … */
  durationMs?: number;
  /** … or after this many requests, whichever comes first. */
  requests?: number;
  /** Open loop instead: start this many requests per second (concurrency caps what is in flight). */
  ratePerSec?: number;
  /** Called after every `n` completed requests (e.g. to sample RSS) with the latencies so far (ms). */
  every?: { n: number; fn: (done: number, latencies: Float64Array) => void | Promise<void> };
  /** Body index to start from, so consecutive runs walk the whole mix. */
  offset?: number;
  /** Stops the run early (e.g. the test's deadline). */
  signal?: AbortSignal;
  /** false: a new connection (and TLS handshake) per request. Default true. */
  keepAlive?: boolean;
  /** Every outcome with its start and end time (performance.now()), e.g. to see what happened after a signal. */
  onResult?: (outcome: string, startedAt: number, endedAt: number) => void;
  /** Closed loop: pause a worker this long after a transport error (a refused connection returns at once). */
  errorBackoffMs?: number;
  /**
   * First run this long, closed loop at the same concurrency, on the same connections, unmeasured: the
   * apiserver keeps its webhook connections open, so TLS handshakes are not part of a steady state.
   */
  warmupMs?: number;
  /** Called when measuring starts (after the warm-up), e.g. to read the server's CPU time. */
  onMeasureStart?: () => void;
}

export interface LoadResult {
  requests: number;
  ok: number;
  errors: Record<string, number>;
  errorSamples: string[];
  durationMs: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** Raw latencies in completion order (ms). */
  latencies: Float64Array;
  /** Latencies by body label (ms). */
  byLabel: Map<string, number[]>;
}

export function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

export function summarize(latencies: Float64Array): LoadResult['latencyMs'] {
  const sorted = Float64Array.from(latencies).sort();
  let sum = 0;
  for (const v of sorted) sum += v;
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN,
    mean: sorted.length ? sum / sorted.length : NaN,
  };
}

export function createAgent(ca: string | Buffer, sockets: number, keepAlive = true): https.Agent {
  return new https.Agent({ keepAlive, maxSockets: sockets, maxFreeSockets: sockets, ca, servername: 'localhost', scheduling: 'fifo' });
}

export interface Answer {
  status: number;
  body: string;
}

/** One POST; resolves with the status and body, rejects on a transport error. */
export function post(agent: https.Agent, host: string, port: number, path: string, payload: Buffer): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host, port, path, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': payload.length } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    // Where it failed: a fresh connection that never completed its TLS handshake carried no request to
    // the server (as good as refused); a reused or established one did.
    let established = false;
    req.on('socket', (socket) => {
      if (req.reusedSocket || (socket as { authorized?: boolean }).authorized) established = true;
      else socket.once('secureConnect', () => (established = true));
    });
    req.on('error', (err: NodeJS.ErrnoException & { beforeHandshake?: boolean }) => {
      err.beforeHandshake = !established;
      reject(err);
    });
    req.end(payload);
  });
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const agent = createAgent(opts.ca, opts.concurrency, opts.keepAlive ?? true);
  try {
    if (opts.warmupMs) {
      const { every: _every, onResult: _onResult, ratePerSec: _rate, requests: _requests, ...closed } = opts;
      await measure({ ...closed, durationMs: opts.warmupMs }, agent);
    }
    opts.onMeasureStart?.();
    return await measure(opts, agent);
  } finally {
    agent.destroy();
  }
}

async function measure(opts: LoadOptions, agent: https.Agent): Promise<LoadResult> {
  const host = opts.host ?? '127.0.0.1';
  const limit = opts.requests ?? Number.POSITIVE_INFINITY;
  const maxSamples = Number.isFinite(limit) ? limit : Math.ceil(((opts.durationMs ?? 10_000) / 1000) * 50_000);
  let latencies = new Float64Array(Math.min(maxSamples, 2_000_000));
  let started = 0;
  let done = 0;
  let ok = 0;
  const errors: Record<string, number> = {};
  const errorSamples: string[] = [];
  let next = opts.offset ?? 0;
  const t0 = performance.now();
  const deadline = opts.durationMs !== undefined ? t0 + opts.durationMs : Number.POSITIVE_INFINITY;
  const more = () => started < limit && performance.now() < deadline && !opts.signal?.aborted;
  let pausing: Promise<void> | undefined;
  const byLabel = new Map<string, number[]>();

  const fail = (kind: string, detail: string): string => {
    errors[kind] = (errors[kind] ?? 0) + 1;
    if (errorSamples.length < 10) errorSamples.push(`${kind}: ${detail.slice(0, 300)}`);
    return kind;
  };

  const one = async () => {
    const body = opts.bodies[next++ % opts.bodies.length] as RequestBody;
    started++;
    const begin = performance.now();
    let result = 'ok';
    let transport = false;
    try {
      const a = await post(agent, host, opts.port, body.path, body.payload);
      if (a.status !== 200) result = fail(`HTTP ${a.status}`, a.body);
      else if (!a.body.includes(`"uid":${JSON.stringify(body.uid)}`)) result = fail('uid not echoed', a.body);
      else ok++;
    } catch (err) {
      transport = true;
      const e = err as NodeJS.ErrnoException & { beforeHandshake?: boolean };
      const code = e.code ?? 'transport error';
      result = fail(e.beforeHandshake && code !== 'ECONNREFUSED' ? `${code} before the TLS handshake` : code, e.message);
    }
    opts.onResult?.(result, begin, performance.now());
    if (transport && opts.errorBackoffMs && opts.ratePerSec === undefined) await new Promise((r) => setTimeout(r, opts.errorBackoffMs));
    if (done >= latencies.length) {
      const bigger = new Float64Array(latencies.length * 2);
      bigger.set(latencies);
      latencies = bigger;
    }
    const ms = performance.now() - begin;
    latencies[done++] = ms;
    if (body.label !== undefined) {
      const list = byLabel.get(body.label);
      if (list) list.push(ms);
      else byLabel.set(body.label, [ms]);
    }
    if (opts.every && done % opts.every.n === 0) {
      const snapshot = latencies.subarray(0, done);
      pausing = (async () => {
        await opts.every!.fn(done, snapshot);
      })();
      await pausing;
      pausing = undefined;
    }
  };

  if (opts.ratePerSec !== undefined) {
    const period = 1000 / opts.ratePerSec;
    const inflight = new Set<Promise<void>>();
    let k = 0;
    while (more()) {
      const due = t0 + k * period;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (!more()) break;
      if (pausing) await pausing;
      if (inflight.size >= opts.concurrency) await Promise.race(inflight);
      const p = one().finally(() => inflight.delete(p));
      inflight.add(p);
      k++;
    }
    await Promise.all(inflight);
  } else {
    const worker = async () => {
      while (more()) {
        if (pausing) await pausing;
        await one();
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency }, worker));
  }
  const durationMs = performance.now() - t0;
  const used = latencies.subarray(0, done);
  return { requests: done, ok, errors, errorSamples, durationMs, rps: (done / durationMs) * 1000, latencyMs: summarize(used), latencies: used, byLabel };
}
