// Kubernetes API errors, sorted into what is worth retrying (429, 5xx, timeouts, broken connections)
// and what is not (403, 404, 409, 422 …), and a capped, jittered exponential backoff for the former.

import { statusOf } from '../kube/client.ts';

export interface ApiErrorInfo {
  /** HTTP status, when the apiserver answered. */
  status?: number;
  /** Metric label: the status code, `timeout` or `network`. */
  label: string;
  /** Worth trying again soon: throttled, server-side failure, timeout, connection trouble. */
  transient: boolean;
  /** The apiserver's Retry-After, in ms (sent with 429 and some 503s). */
  retryAfterMs?: number;
  /** First line of the message, for logs. */
  message: string;
}

export function classifyApiError(err: unknown): ApiErrorInfo {
  const message = firstLine(err);
  const name = (err as { name?: unknown })?.name;
  // Before the status: a DOMException carries a legacy numeric `code` (23 for TimeoutError).
  if (name === 'TimeoutError' || name === 'AbortError') return { label: 'timeout', transient: true, message };
  const s = statusOf(err);
  const status = s !== undefined && s >= 100 && s <= 599 ? s : undefined;
  if (status !== undefined) {
    const info: ApiErrorInfo = { status, label: String(status), transient: status === 429 || status >= 500, message };
    const retryAfter = headerOf(err, 'retry-after');
    const seconds = retryAfter === undefined ? NaN : Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) info.retryAfterMs = seconds * 1000;
    return info;
  }
  if (/timed? ?out/i.test(message)) return { label: 'timeout', transient: true, message };
  return { label: 'network', transient: true, message };
}

export interface RetryOptions {
  /** Total attempts, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
  signal?: AbortSignal;
  /** Called for every failed attempt (also the last), before sleeping. */
  onError?: (info: ApiErrorInfo, attempt: number, willRetry: boolean, delayMs: number) => void;
  /** Errors that are a normal answer for this call (e.g. 404 for "not installed"): thrown at once, not reported. */
  expected?: (info: ApiErrorInfo) => boolean;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** Runs `fn`, retrying transient API errors with backoff; rethrows the last error (or a non-transient one at once). */
export async function withRetry<T>(fn: () => Promise<T>, opts: RetryOptions): Promise<T> {
  const sleep = opts.sleep ?? abortableSleep;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const info = classifyApiError(err);
      if (opts.expected?.(info)) throw err;
      const willRetry = info.transient && attempt < opts.attempts && !opts.signal?.aborted;
      const delay = willRetry ? Math.max(backoffMs(attempt, opts.baseMs, opts.maxMs, opts.random), Math.min(info.retryAfterMs ?? 0, opts.maxMs)) : 0;
      opts.onError?.(info, attempt, willRetry, delay);
      if (!willRetry) throw err;
      await sleep(delay, opts.signal);
      if (opts.signal?.aborted) throw err;
    }
  }
}

/** Exponential backoff with "full jitter" in the upper half: base·2^(n-1), capped, times 0.5..1. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling * (0.5 + random() / 2));
}

/** Resolves after `ms`, or at once when `signal` aborts. Never rejects. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}

function firstLine(err: unknown): string {
  const body = (err as { body?: unknown })?.body;
  // client-node's ApiException carries the apiserver's Status; its message is the useful part.
  if (typeof body === 'string') {
    try {
      const status = JSON.parse(body) as { message?: unknown };
      if (typeof status.message === 'string') return status.message;
    } catch {
      /* not JSON */
    }
  } else if (body && typeof body === 'object' && typeof (body as { message?: unknown }).message === 'string') {
    return (body as { message: string }).message;
  }
  const m = err instanceof Error ? err.message : String(err);
  const line = m.split('\n')[0] ?? m;
  // fetch's own message is "fetch failed"; the reason (ECONNREFUSED, ECONNRESET …) is in its cause.
  const cause = (err as { cause?: { code?: unknown; message?: unknown } })?.cause;
  if (cause && typeof cause.code === 'string') return `${line} (${cause.code})`;
  if (cause && typeof cause.message === 'string') return `${line} (${cause.message})`;
  return line;
}

function headerOf(err: unknown, name: string): string | undefined {
  const headers = (err as { headers?: Record<string, string> })?.headers;
  if (!headers || typeof headers !== 'object') return undefined;
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}
