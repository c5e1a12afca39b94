// Writes the audit's PolicyReports / ClusterPolicyReports (wgpolicyk8s.io/v1alpha2).
//
// One report per audited resource that has something to act on; a report whose resource is now clean is
// deleted (docs/adr/0006-audit.md). Reports are compared by a content hash kept in an annotation, so an
// unchanged cluster costs one paginated list of our own reports per scan and no writes. Writes run with a
// fixed number of workers over the scan's result array: nothing is queued beyond it.

import type { CustomObjectsApi } from '@kubernetes/client-node';
import {
  buildReport,
  HASH_ANNOTATION,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  needsReport,
  reportKind,
  reportName,
  REPORT_GROUP,
  REPORT_VERSION,
  type PolicyReport,
} from '../audit/report.ts';
import { classifyApiError, withRetry, type ApiErrorInfo } from '../audit/retry.ts';
import type { AuditedObject } from '../audit/scan.ts';
import type { Logger } from '../server/logger.ts';

export type ReportsApi = Pick<
  CustomObjectsApi,
  | 'listClusterCustomObject'
  | 'getNamespacedCustomObject'
  | 'getClusterCustomObject'
  | 'createNamespacedCustomObject'
  | 'createClusterCustomObject'
  | 'replaceNamespacedCustomObject'
  | 'replaceClusterCustomObject'
  | 'deleteNamespacedCustomObject'
  | 'deleteClusterCustomObject'
>;

const PLURAL = { PolicyReport: 'policyreports', ClusterPolicyReport: 'clusterpolicyreports' } as const;


export interface WriteStats {
  /** False when the PolicyReport CRDs are not installed: nothing was written. */
  available: boolean;
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
  failed: number;
  aborted: boolean;
}

export interface WriterOptions {
  log: Logger;
  /** Parallel writes. A handful: reports are small and the apiserver's fairness queues do the rest. */
  concurrency?: number;
  pageSize?: number;
  maxResults?: number;
  onApiError?: (info: ApiErrorInfo, operation: string) => void;
}

const key = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;

export class PolicyReportWriter {
  readonly #api: ReportsApi;
  readonly #opts: WriterOptions;

  constructor(api: ReportsApi, opts: WriterOptions) {
    this.#api = api;
    this.#opts = opts;
  }

  /**
   * The reports meshguard wrote (by label), as namespace/name → content hash. Only the hash is kept, so
   * this stays small however many reports exist. Undefined when the CRDs are not installed.
   */
  async existing(signal?: AbortSignal): Promise<Map<string, string> | undefined> {
    const out = new Map<string, string>();
    for (const kind of ['PolicyReport', 'ClusterPolicyReport'] as const) {
      let token: string | undefined;
      do {
        let page: { items?: PolicyReport[]; metadata?: { continue?: string; _continue?: string } };
        try {
          page = await this.#retry('list', signal, () =>
            this.#api.listClusterCustomObject({
              group: REPORT_GROUP,
              version: REPORT_VERSION,
              plural: PLURAL[kind],
              labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY}`,
              limit: this.#opts.pageSize ?? 500,
              ...(token ? { _continue: token } : {}),
            }),
          );
        } catch (err) {
          if (classifyApiError(err).status === 404) return undefined;
          throw err;
        }
        for (const r of page.items ?? []) out.set(key(r.metadata?.namespace, r.metadata?.name), r.metadata?.annotations?.[HASH_ANNOTATION] ?? '');
        token = page.metadata?.continue || page.metadata?._continue || undefined;
      } while (token);
    }
    return out;
  }

  /**
   * Brings the reports of `objects` in line with their findings: create, update (when the content hash
   * differs), or delete (when the resource has nothing left to act on). Reports of resources not in
   * `objects` are left alone: the resource is gone (its owner reference lets the garbage collector remove
   * the report) or was not listed.
   */
  async sync(objects: readonly AuditedObject[], now: Date, signal?: AbortSignal): Promise<WriteStats> {
    const stats: WriteStats = { available: true, created: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, aborted: false };
    const existing = await this.existing(signal);
    if (!existing) return { ...stats, available: false };
    let next = 0;
    let logged = 0;
    const worker = async () => {
      while (next < objects.length) {
        if (signal?.aborted) {
          stats.aborted = true;
          return;
        }
        const o = objects[next++] as AuditedObject;
        try {
          const outcome = await this.#one(o, existing, now, signal);
          stats[outcome]++;
        } catch (err) {
          stats.failed++;
          // The first few failures in full; the summary line counts the rest.
          if (logged++ < 5) {
            const info = classifyApiError(err);
            this.#opts.log.warn(
              { event: 'audit.report.error', kind: o.ref.kind, namespace: o.ref.namespace, name: o.ref.name, status: info.status ?? info.label },
              `cannot write the PolicyReport: ${info.message}`,
            );
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.#opts.concurrency ?? 4) }, worker));
    return stats;
  }

  async #one(o: AuditedObject, existing: Map<string, string>, now: Date, signal?: AbortSignal): Promise<'created' | 'updated' | 'deleted' | 'unchanged'> {
    const kind = reportKind(o.ref);
    const name = reportName(o.ref);
    const namespace = o.ref.scope === 'Namespaced' ? o.ref.namespace : undefined;
    const storedHash = existing.get(key(namespace, name));
    if (!needsReport(o.findings)) {
      if (storedHash === undefined) return 'unchanged';
      await this.#delete(kind, namespace, name, signal);
      return 'deleted';
    }
    const fresh = buildReport(o.ref, o.findings, { now, ...(this.#opts.maxResults ? { maxResults: this.#opts.maxResults } : {}) });
    if (storedHash === fresh.metadata.annotations[HASH_ANNOTATION]) return 'unchanged';
    if (storedHash === undefined) {
      try {
        await this.#retry('create', signal, () => this.#create(kind, namespace, fresh));
        return 'created';
      } catch (err) {
        if (classifyApiError(err).status !== 409) throw err; // written since we listed: update it instead
      }
    }
    // Update: read it for its resourceVersion and for the timestamps of results that did not change.
    for (let attempt = 1; ; attempt++) {
      const stored = await this.#get(kind, namespace, name, signal);
      if (!stored) {
        await this.#retry('create', signal, () => this.#create(kind, namespace, fresh));
        return 'created';
      }
      const body = buildReport(o.ref, o.findings, { now, previous: stored, ...(this.#opts.maxResults ? { maxResults: this.#opts.maxResults } : {}) });
      body.metadata.resourceVersion = String(stored.metadata.resourceVersion);
      try {
        await this.#retry('update', signal, () => this.#replace(kind, namespace, name, body));
        return 'updated';
      } catch (err) {
        // 409: changed between our read and write (optimistic concurrency): read again, a few times.
        if (classifyApiError(err).status !== 409 || attempt >= 3) throw err;
      }
    }
  }

  #create(kind: PolicyReport['kind'], namespace: string | undefined, body: PolicyReport): Promise<unknown> {
    const base = { group: REPORT_GROUP, version: REPORT_VERSION, plural: PLURAL[kind], body };
    return namespace ? this.#api.createNamespacedCustomObject({ ...base, namespace }) : this.#api.createClusterCustomObject(base);
  }

  #replace(kind: PolicyReport['kind'], namespace: string | undefined, name: string, body: PolicyReport): Promise<unknown> {
    const base = { group: REPORT_GROUP, version: REPORT_VERSION, plural: PLURAL[kind], name, body };
    return namespace ? this.#api.replaceNamespacedCustomObject({ ...base, namespace }) : this.#api.replaceClusterCustomObject(base);
  }

  async #get(kind: PolicyReport['kind'], namespace: string | undefined, name: string, signal?: AbortSignal): Promise<PolicyReport | undefined> {
    const base = { group: REPORT_GROUP, version: REPORT_VERSION, plural: PLURAL[kind], name };
    try {
      return (await this.#retry('get', signal, () =>
        namespace ? this.#api.getNamespacedCustomObject({ ...base, namespace }) : this.#api.getClusterCustomObject(base),
      )) as PolicyReport;
    } catch (err) {
      if (classifyApiError(err).status === 404) return undefined;
      throw err;
    }
  }

  async #delete(kind: PolicyReport['kind'], namespace: string | undefined, name: string, signal?: AbortSignal): Promise<void> {
    const base = { group: REPORT_GROUP, version: REPORT_VERSION, plural: PLURAL[kind], name };
    try {
      await this.#retry('delete', signal, () =>
        namespace ? this.#api.deleteNamespacedCustomObject({ ...base, namespace }) : this.#api.deleteClusterCustomObject(base),
      );
    } catch (err) {
      if (classifyApiError(err).status !== 404) throw err; // already gone is what we wanted
    }
  }

  #retry<T>(operation: string, signal: AbortSignal | undefined, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      attempts: 4,
      baseMs: 250,
      maxMs: 5_000,
      ...(signal ? { signal } : {}),
      // 404 and 409 are answers here (gone / changed), not faults.
      expected: (info) => info.status === 404 || info.status === 409,
      onError: (info) => this.#opts.onApiError?.(info, `report.${operation}`),
    });
  }
}
