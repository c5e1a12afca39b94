// The server's background audit: while this replica holds the Lease, scan every `intervalSeconds`, and
// soon after a MeshTopology change; publish each complete scan as log lines, metrics and PolicyReports.
//
// Scans never overlap (a trigger during a scan runs one more scan after it). A scan that could not list
// everything publishes nothing: cross-object rules over a partial inventory would report wrong results,
// and clearing the reports of resources we did not see would hide real ones. It is retried with backoff
// (10 s doubling, capped at the interval). Losing the Lease aborts a running scan between pages/writes.

import type { Overrides } from '../engine/evaluate.ts';
import type { ClusterLookups } from '../engine/context.ts';
import type { Registry } from '../engine/registry.ts';
import { LeaseEvents, type EventSink } from '../kube/events.ts';
import { LeaderElector } from '../kube/lease.ts';
import { PolicyReportWriter, type WriteStats } from '../kube/policyreport.ts';
import type { Logger } from '../server/logger.ts';
import type { Metrics } from '../server/metrics.ts';
import type { AuditClients } from './clients.ts';
import { logFindings, recordScanMetrics } from './publish.ts';
import { describe, missingPermissions, neededPermissions } from './rbac.ts';
import type { ApiErrorInfo } from './retry.ts';
import { scanCluster } from './scan.ts';

export interface BackgroundAuditOptions {
  clients: AuditClients;
  registry: Registry;
  intervalSeconds: number;
  /** Write PolicyReports; false = log-only (findings go to logs and metrics). */
  reports: boolean;
  leaseNamespace: string;
  leaseName: string;
  leaseDurationSeconds?: number;
  renewDeadlineSeconds?: number;
  retryPeriodSeconds?: number;
  identity?: string;
  log: Logger;
  metrics: Metrics;
  /** Current per-rule overrides and cluster domain (the server's config file, reloaded). */
  overrides?: () => Overrides | undefined;
  clusterDomain?: () => string | undefined;
  lookups?: () => ClusterLookups | undefined;
  /** Wait this long after a MeshTopology change before scanning, so a burst of edits is one scan. */
  topologyDebounceMs?: number;
  pageSize?: number;
  maxResultsPerReport?: number;
  /** First retry delay after an incomplete scan. */
  retryBaseMs?: number;
  /** Write Kubernetes Events on the Lease when a scan's outcome changes (src/kube/events.ts). */
  events?: boolean;
}

export type ScanOutcome = 'complete' | 'incomplete' | 'aborted' | 'failed';

export class BackgroundAudit {
  readonly #o: BackgroundAuditOptions;
  readonly #elector: LeaderElector;
  readonly #writer: PolicyReportWriter;
  readonly #stopped = new AbortController();
  #leaderSignal: AbortSignal | undefined;
  #timer: NodeJS.Timeout | undefined;
  #debounce: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #pending = false;
  #failures = 0;
  #reportsUnavailableLogged = false;
  readonly #kinds: string[];
  readonly #events: EventSink | undefined;

  constructor(opts: BackgroundAuditOptions) {
    this.#o = opts;
    this.#kinds = opts.registry.kinds.map((k) => k.kind);
    const onApiError = (info: ApiErrorInfo, operation: string) => opts.metrics.auditApiErrors.inc({ operation, status: info.label });
    this.#writer = new PolicyReportWriter(opts.clients.custom, {
      log: opts.log,
      onApiError,
      ...(opts.maxResultsPerReport ? { maxResults: opts.maxResultsPerReport } : {}),
    });
    this.#elector = new LeaderElector({
      api: opts.clients.leases,
      namespace: opts.leaseNamespace,
      name: opts.leaseName,
      ...(opts.identity ? { identity: opts.identity } : {}),
      ...(opts.leaseDurationSeconds ? { leaseDurationSeconds: opts.leaseDurationSeconds } : {}),
      ...(opts.renewDeadlineSeconds ? { renewDeadlineSeconds: opts.renewDeadlineSeconds } : {}),
      ...(opts.retryPeriodSeconds ? { retryPeriodSeconds: opts.retryPeriodSeconds } : {}),
      log: opts.log,
      onApiError,
      onStartedLeading: (signal) => {
        this.#leaderSignal = signal;
        opts.metrics.auditLeader.set(1);
        this.#failures = 0;
        this.#schedule(0);
      },
      onStoppedLeading: () => {
        this.#leaderSignal = undefined;
        opts.metrics.auditLeader.set(0);
        clearTimeout(this.#timer);
        clearTimeout(this.#debounce);
        this.#pending = false;
      },
    });
    this.#events = opts.events
      ? new LeaseEvents({ api: opts.clients.core, namespace: opts.leaseNamespace, leaseName: opts.leaseName, identity: this.#elector.identity, log: opts.log })
      : undefined;
  }

  get identity(): string {
    return this.#elector.identity;
  }

  get isLeader(): boolean {
    return this.#elector.isLeader;
  }

  start(): void {
    const o = this.#o;
    o.metrics.auditLeader.set(0);
    o.log.info(
      { event: 'audit.starting', intervalSeconds: o.intervalSeconds, reports: o.reports, lease: `${o.leaseNamespace}/${o.leaseName}`, identity: this.identity },
      'background audit: campaigning for the lease',
    );
    void this.checkPermissions();
    this.#elector.start();
  }

  /**
   * Stops scanning and releases the Lease. A running scan stops at its next page or report write; it gets a
   * few seconds to do so before the Lease is released anyway (a peer writing the same reports at the same
   * time is harmless: every write is conditional on the resourceVersion it read).
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.#stopped.abort();
    clearTimeout(this.#timer);
    clearTimeout(this.#debounce);
    if (this.#running) await Promise.race([this.#running, new Promise((r) => setTimeout(r, graceMs).unref())]);
    await this.#elector.stop();
  }

  /** Called (already debounced by the informer) after the merged MeshTopology changed. */
  topologyChanged(): void {
    if (!this.#leaderSignal || this.#stopped.signal.aborted) return;
    clearTimeout(this.#debounce);
    this.#debounce = setTimeout(() => {
      this.#o.log.info({ event: 'audit.triggered', reason: 'topology' }, 'MeshTopology changed: scanning soon');
      this.#schedule(0);
    }, this.#o.topologyDebounceMs ?? 5_000);
    this.#debounce.unref();
  }

  /** One log line naming every permission the audit lacks (or saying none is missing). Never throws. */
  async checkPermissions(): Promise<string[] | undefined> {
    const o = this.#o;
    const wanted = neededPermissions(o.registry, { reports: o.reports, leaseNamespace: o.leaseNamespace, leaseName: o.leaseName });
    try {
      const missing = (await missingPermissions(o.clients.authz, wanted)).map(describe);
      if (missing.length > 0) {
        o.log.warn({ event: 'audit.rbac', missing }, `background audit lacks ${missing.length} permission(s): ${missing.join('; ')}; scans that need them will be incomplete`);
      } else {
        o.log.info({ event: 'audit.rbac', missing }, 'background audit: every permission it needs is granted');
      }
      return missing;
    } catch (err) {
      o.log.warn({ event: 'audit.rbac', error: String((err as Error)?.message ?? err) }, 'cannot check the background audit permissions (SelfSubjectAccessReview failed)');
      return undefined;
    }
  }

  #schedule(ms: number): void {
    if (this.#stopped.signal.aborted || !this.#leaderSignal) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#trigger(), ms);
    this.#timer.unref();
  }

  #trigger(): void {
    if (this.#running) {
      this.#pending = true;
      return;
    }
    const leader = this.#leaderSignal;
    if (!leader || this.#stopped.signal.aborted) return;
    const signal = AbortSignal.any([leader, this.#stopped.signal]);
    this.#running = this.scanOnce(signal)
      .then((outcome) => this.#after(outcome))
      .finally(() => {
        this.#running = undefined;
      });
  }

  #after(outcome: ScanOutcome): void {
    const intervalMs = this.#o.intervalSeconds * 1000;
    if (this.#pending) {
      this.#pending = false;
      this.#schedule(0);
    } else if (outcome === 'complete' || outcome === 'aborted') {
      this.#failures = 0;
      this.#schedule(intervalMs);
    } else {
      this.#failures++;
      const backoff = Math.min(intervalMs, (this.#o.retryBaseMs ?? 10_000) * 2 ** (this.#failures - 1));
      this.#o.log.info({ event: 'audit.retry', inMs: backoff, failures: this.#failures }, 'scan did not complete; retrying with backoff');
      this.#schedule(backoff);
    }
  }

  /** One scan and its publication. Exposed for tests; the loop calls it. */
  async scanOnce(signal: AbortSignal): Promise<ScanOutcome> {
    const o = this.#o;
    const log = o.log;
    o.log.info({ event: 'audit.scan.started', identity: this.identity }, 'audit scan started');
    try {
      const overrides = o.overrides?.();
      const clusterDomain = o.clusterDomain?.();
      const lookups = o.lookups?.();
      const scan = await scanCluster(o.clients.list, o.registry, {
        pageSize: o.pageSize ?? 500,
        signal,
        ...(overrides ? { overrides } : {}),
        ...(clusterDomain ? { clusterDomain } : {}),
        ...(lookups ? { lookups } : {}),
        onApiError: (info, kind, willRetry, delay) => {
          o.metrics.auditApiErrors.inc({ operation: 'list', status: info.label });
          log.warn({ event: 'audit.api-error', operation: 'list', kind, status: info.status ?? info.label, ...(willRetry ? { retryInMs: delay } : {}) }, info.message);
        },
      });
      o.metrics.auditDuration.observe(scan.seconds);
      if (signal.aborted) {
        o.metrics.auditScans.inc({ outcome: 'aborted' });
        log.info({ event: 'audit.scan', outcome: 'aborted', seconds: scan.seconds }, 'audit scan aborted (lost the lease or stopping)');
        return 'aborted';
      }
      if (!scan.complete) {
        o.metrics.auditScans.inc({ outcome: 'incomplete' });
        const unlisted = `cannot list ${scan.problems.map((p) => `${p.kind}${p.status ? ` (HTTP ${p.status})` : ''}`).join(', ')}`;
        log.error(
          { event: 'audit.scan', outcome: 'incomplete', problems: scan.problems, seconds: scan.seconds },
          `audit scan incomplete, nothing published: ${unlisted}`,
        );
        await this.#events?.emit({ type: 'Warning', reason: 'AuditScanIncomplete', message: `${unlisted}; nothing is published until a scan completes (see the audit.api-error log lines)` });
        return 'incomplete';
      }
      for (const f of scan.failures) log.warn({ event: 'audit.rule-error', rule: f.rule, error: String((f.error as Error)?.message ?? f.error) }, 'a rule failed during the audit and was skipped');
      const counts = logFindings(scan, log);
      recordScanMetrics(scan, o.metrics, this.#kinds);
      let reports: WriteStats | undefined;
      if (o.reports) {
        reports = await this.#writer.sync(scan.objects, scan.startedAt, signal).catch((err) => {
          log.warn({ event: 'audit.reports', error: String((err as Error)?.message ?? err) }, 'cannot list PolicyReports; none written this scan');
          return undefined;
        });
        if (reports) {
          for (const op of ['created', 'updated', 'deleted', 'failed'] as const) if (reports[op] > 0) o.metrics.auditReports.inc({ operation: op }, reports[op]);
          if (!reports.available) {
            if (!this.#reportsUnavailableLogged) {
              this.#reportsUnavailableLogged = true;
              log.warn({ event: 'audit.reports', available: false }, 'the PolicyReport CRDs (wgpolicyk8s.io/v1alpha2) are not installed: findings go to logs and metrics only');
            }
          } else {
            this.#reportsUnavailableLogged = false;
            log.info({ event: 'audit.reports', ...reports }, 'PolicyReports synchronised');
          }
        }
      }
      o.metrics.auditLastSuccess.set(Date.now() / 1000);
      o.metrics.auditScans.inc({ outcome: 'complete' });
      log.info(
        {
          event: 'audit.scan',
          outcome: 'complete',
          identity: this.identity,
          objects: scan.objects.length,
          ...counts,
          seconds: Number(scan.seconds.toFixed(3)),
          ...(reports ? { reports: { created: reports.created, updated: reports.updated, deleted: reports.deleted, unchanged: reports.unchanged, failed: reports.failed } } : {}),
        },
        `audit scan: ${scan.objects.length} objects, ${counts.errors} errors, ${counts.warnings} warnings`,
      );
      await this.#events?.emit({
        type: counts.errors > 0 ? 'Warning' : 'Normal',
        reason: 'AuditScanCompleted',
        message: `${scan.objects.length} objects of served kinds: ${counts.errors} errors, ${counts.warnings} warnings${reports?.available ? ' (kubectl get policyreports -A)' : ' (audit.finding log lines)'}`,
        // News is a change in what is wrong, not in how many objects there are.
        key: `AuditScanCompleted ${counts.errors} ${counts.warnings}`,
      });
      return 'complete';
    } catch (err) {
      // Never let a bug or an unexpected answer end the loop: count it, log it, try again later.
      o.metrics.auditScans.inc({ outcome: 'failed' });
      log.error({ event: 'audit.scan', outcome: 'failed', error: String((err as Error)?.stack ?? err) }, 'audit scan failed');
      return 'failed';
    }
  }
}
