// Leader election on a coordination.k8s.io/v1 Lease (client-node has none), so that only one replica
// runs the background audit.
//
// The rules are client-go's: a candidate takes the Lease when it does not exist, when nobody holds it,
// or when its record has not changed for leaseDurationSeconds *as observed on the candidate's own clock*
// (so clock skew between nodes does not matter). The leader renews every renewDeadline/2 (jittered);
// when renewals keep failing until renewDeadline has passed since the last success, it stops leading
// on its own, before anybody else may take over (leaseDuration > renewDeadline). Every write carries
// the resourceVersion it read: a 409 means someone else wrote first, and the next attempt reads again.
// Stopping releases the Lease (holder cleared) so another replica takes over at once.

import { V1MicroTime, type CoordinationV1Api, type V1Lease } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { abortableSleep, classifyApiError, type ApiErrorInfo } from '../audit/retry.ts';
import type { Logger } from '../server/logger.ts';

export type LeaseApi = Pick<CoordinationV1Api, 'readNamespacedLease' | 'createNamespacedLease' | 'replaceNamespacedLease'>;

export interface LeaseRecord {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
  leaseTransitions?: number;
}

/** What this candidate last saw of the Lease, and when (its own clock). */
export interface Observed {
  key: string;
  atMs: number;
}

export type Decision =
  | { action: 'create' | 'update'; record: LeaseRecord; observed: Observed }
  | { action: 'wait'; holder: string; observed: Observed };

export interface DecideInput {
  identity: string;
  leaseDurationSeconds: number;
  /** The Lease's spec as read; undefined when it does not exist. */
  current: LeaseRecord | undefined;
  observed: Observed | undefined;
  nowMs: number;
}

const recordKey = (r: LeaseRecord) => JSON.stringify([r.holderIdentity ?? '', r.renewTime ?? '', r.acquireTime ?? '', r.leaseTransitions ?? 0, r.leaseDurationSeconds ?? 0]);

/** Pure: what a candidate does with the Lease it just read. */
export function decide(input: DecideInput): Decision {
  const now = microTime(input.nowMs);
  const fresh = { holderIdentity: input.identity, leaseDurationSeconds: input.leaseDurationSeconds, acquireTime: now, renewTime: now };
  if (!input.current) {
    const record = { ...fresh, leaseTransitions: 0 };
    return { action: 'create', record, observed: { key: recordKey(record), atMs: input.nowMs } };
  }
  const cur = input.current;
  const key = recordKey(cur);
  // The clock starts when the record last changed in our eyes, not at its renewTime (another node's clock).
  const observed = input.observed?.key === key ? input.observed : { key, atMs: input.nowMs };
  const holder = cur.holderIdentity ?? '';
  const duration = (cur.leaseDurationSeconds ?? input.leaseDurationSeconds) * 1000;
  if (holder !== '' && holder !== input.identity && observed.atMs + duration > input.nowMs) return { action: 'wait', holder, observed };
  const record: LeaseRecord =
    holder === input.identity
      ? { ...cur, leaseDurationSeconds: input.leaseDurationSeconds, renewTime: now }
      : { ...fresh, leaseTransitions: (cur.leaseTransitions ?? 0) + 1 };
  return { action: 'update', record, observed: { key: recordKey(record), atMs: input.nowMs } };
}

/** The record a leader writes when it steps down: nobody holds it, and it expires at once. */
export function releasedRecord(cur: LeaseRecord, nowMs: number): LeaseRecord {
  const now = microTime(nowMs);
  return { holderIdentity: '', leaseDurationSeconds: 1, acquireTime: now, renewTime: now, leaseTransitions: cur.leaseTransitions ?? 0 };
}

/** `<pod name>_<random>`: unique even when a pod restarts with the same name before its Lease expires. */
export function defaultIdentity(): string {
  return `${process.env.HOSTNAME || hostname()}_${randomBytes(4).toString('hex')}`;
}

export interface ElectorOptions {
  api: LeaseApi;
  namespace: string;
  name: string;
  identity?: string;
  /** How long a holder's silence is tolerated before others take over. Default 15 s. */
  leaseDurationSeconds?: number;
  /** A leader that could not renew for this long stops leading. Default 10 s; must be < leaseDuration. */
  renewDeadlineSeconds?: number;
  /** Pause between attempts to acquire, and between renewal retries. Default 2 s. */
  retryPeriodSeconds?: number;
  log: Logger;
  onStartedLeading: (signal: AbortSignal) => void;
  onStoppedLeading: () => void;
  onApiError?: (info: ApiErrorInfo, operation: string) => void;
  random?: () => number;
  now?: () => number;
}

export class LeaderElector {
  readonly identity: string;
  readonly #o: Required<Pick<ElectorOptions, 'leaseDurationSeconds' | 'renewDeadlineSeconds' | 'retryPeriodSeconds'>> & ElectorOptions;
  #observed: Observed | undefined;
  #lastLease: V1Lease | undefined;
  #leading: AbortController | undefined;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #warnedHolder = '';

  constructor(opts: ElectorOptions) {
    const o = { leaseDurationSeconds: 15, renewDeadlineSeconds: 10, retryPeriodSeconds: 2, ...opts };
    if (!(o.renewDeadlineSeconds < o.leaseDurationSeconds)) throw new Error('renewDeadlineSeconds must be shorter than leaseDurationSeconds');
    if (!(o.retryPeriodSeconds < o.renewDeadlineSeconds)) throw new Error('retryPeriodSeconds must be shorter than renewDeadlineSeconds');
    this.#o = o;
    this.identity = opts.identity ?? defaultIdentity();
  }

  get isLeader(): boolean {
    return this.#leading !== undefined;
  }

  start(): void {
    this.#loop ??= this.#run().catch((err) => this.#o.log.error({ event: 'lease.loop-failed', err: String(err) }, 'leader election stopped unexpectedly'));
  }

  /** Stops campaigning; a leader stops leading first, then releases the Lease so another replica takes over at once. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
    this.#stepDown('stopping');
    // Also when the loop won the Lease just as it was told to stop: whatever we last wrote, undo.
    if (this.#lastLease) await this.#release();
  }

  async #run(): Promise<void> {
    const o = this.#o;
    const now = () => (o.now ?? Date.now)();
    while (!this.#stop.signal.aborted) {
      // Campaign.
      while (!this.#stop.signal.aborted && !(await this.#tryAcquireOrRenew())) await this.#sleep(jitter(o.retryPeriodSeconds * 1000, 1.2, o.random));
      if (this.#stop.signal.aborted) return;
      this.#leading = new AbortController();
      o.log.info({ event: 'lease.acquired', lease: `${o.namespace}/${o.name}`, identity: this.identity }, 'this replica now leads the background audit');
      o.onStartedLeading(this.#leading.signal);
      // Lead: renew every renewDeadline/2; retry failures until renewDeadline since the last success.
      let lastRenew = now();
      while (!this.#stop.signal.aborted && this.#leading) {
        await this.#sleep(jitter((o.renewDeadlineSeconds * 1000) / 2, 0.2, o.random));
        if (this.#stop.signal.aborted) return;
        let renewed = await this.#tryAcquireOrRenew();
        while (!renewed && !this.#stop.signal.aborted && this.#leading && now() - lastRenew < o.renewDeadlineSeconds * 1000) {
          const left = o.renewDeadlineSeconds * 1000 - (now() - lastRenew);
          await this.#sleep(Math.min(left, jitter(o.retryPeriodSeconds * 1000, 0.2, o.random) / 2));
          if (this.#stop.signal.aborted) return;
          if (now() - lastRenew >= o.renewDeadlineSeconds * 1000) break;
          renewed = await this.#tryAcquireOrRenew();
        }
        if (this.#stop.signal.aborted) return;
        if (renewed) lastRenew = now();
        else this.#stepDown(this.#leading ? 'renew deadline passed' : 'lease taken');
      }
    }
  }

  #stepDown(why: string): void {
    const leading = this.#leading;
    if (!leading) return;
    this.#leading = undefined;
    leading.abort();
    this.#o.log[why === 'stopping' ? 'info' : 'warn']({ event: 'lease.lost', lease: `${this.#o.namespace}/${this.#o.name}`, identity: this.identity, reason: why }, 'this replica stopped leading the background audit');
    this.#o.onStoppedLeading();
  }

  /** One read-decide-write round. True when we hold the Lease afterwards. */
  async #tryAcquireOrRenew(): Promise<boolean> {
    const o = this.#o;
    let lease: V1Lease | undefined;
    try {
      lease = await o.api.readNamespacedLease({ name: o.name, namespace: o.namespace });
    } catch (err) {
      const info = classifyApiError(err);
      if (info.status !== 404) return this.#failed(info, 'read');
    }
    const d = decide({
      identity: this.identity,
      leaseDurationSeconds: o.leaseDurationSeconds,
      current: lease ? recordOf(lease) : undefined,
      observed: this.#observed,
      nowMs: (o.now ?? Date.now)(),
    });
    this.#observed = d.observed;
    if (d.action === 'wait') {
      if (this.#leading) this.#stepDown(`lease taken by ${d.holder}`);
      if (this.#warnedHolder !== d.holder) {
        this.#warnedHolder = d.holder;
        o.log.info({ event: 'lease.held', lease: `${o.namespace}/${o.name}`, holder: d.holder, identity: this.identity }, 'another replica leads the background audit');
      }
      return false;
    }
    try {
      if (d.action === 'create') {
        this.#lastLease = await o.api.createNamespacedLease({ namespace: o.namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name: o.name, namespace: o.namespace }, spec: specOf(d.record) } });
      } else {
        const body: V1Lease = { ...(lease as V1Lease), spec: specOf(d.record) };
        this.#lastLease = await o.api.replaceNamespacedLease({ name: o.name, namespace: o.namespace, body });
      }
      this.#warnedHolder = '';
      return true;
    } catch (err) {
      const info = classifyApiError(err);
      // 409 (someone wrote first) or 422/403: not ours this round; the next round reads again.
      return this.#failed(info, d.action);
    }
  }

  #failed(info: ApiErrorInfo, operation: string): false {
    if (info.status !== 409) {
      this.#o.onApiError?.(info, `lease.${operation}`);
      this.#o.log.warn({ event: 'lease.error', operation, status: info.status ?? info.label, lease: `${this.#o.namespace}/${this.#o.name}` }, info.message);
    }
    return false;
  }

  async #release(): Promise<void> {
    const o = this.#o;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const lease = attempt === 0 && this.#lastLease ? this.#lastLease : await o.api.readNamespacedLease({ name: o.name, namespace: o.namespace });
        if (lease.spec?.holderIdentity !== this.identity) return; // someone else holds it already
        await o.api.replaceNamespacedLease({ name: o.name, namespace: o.namespace, body: { ...lease, spec: specOf(releasedRecord(recordOf(lease), (o.now ?? Date.now)())) } });
        o.log.info({ event: 'lease.released', lease: `${o.namespace}/${o.name}`, identity: this.identity }, 'released the audit lease');
        return;
      } catch (err) {
        const info = classifyApiError(err);
        if (info.status === 404) return;
        if (info.status !== 409) {
          o.onApiError?.(info, 'lease.release');
          o.log.warn({ event: 'lease.error', operation: 'release', status: info.status ?? info.label }, info.message);
          return; // it expires on its own within leaseDurationSeconds
        }
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return abortableSleep(ms, this.#stop.signal);
  }
}

/** `base` stretched by up to `factor` (client-go's wait.Jitter): never shorter, so renewals never crowd. */
export function jitter(baseMs: number, factor: number, random: () => number = Math.random): number {
  return baseMs + random() * factor * baseMs;
}

function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/Z$/, '000Z');
}

function recordOf(lease: V1Lease): LeaseRecord {
  const s = lease.spec ?? {};
  const r: LeaseRecord = {};
  if (s.holderIdentity !== undefined) r.holderIdentity = s.holderIdentity;
  if (s.leaseDurationSeconds !== undefined) r.leaseDurationSeconds = s.leaseDurationSeconds;
  if (s.acquireTime !== undefined) r.acquireTime = asText(s.acquireTime);
  if (s.renewTime !== undefined) r.renewTime = asText(s.renewTime);
  if (s.leaseTransitions !== undefined) r.leaseTransitions = s.leaseTransitions;
  return r;
}

function specOf(r: LeaseRecord): NonNullable<V1Lease['spec']> {
  return {
    holderIdentity: r.holderIdentity ?? '',
    leaseDurationSeconds: r.leaseDurationSeconds ?? 15,
    ...(r.acquireTime ? { acquireTime: new V1MicroTime(Date.parse(r.acquireTime)) } : {}),
    ...(r.renewTime ? { renewTime: new V1MicroTime(Date.parse(r.renewTime)) } : {}),
    leaseTransitions: r.leaseTransitions ?? 0,
  };
}

/** client-node hands MicroTime back as the wire string (or a Date, depending on the path). */
function asText(v: unknown): string {
  if (v instanceof Date) return v.toISOString();
  return String(v);
}
