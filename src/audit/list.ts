// Listing every served kind cluster-wide, page by page (limit/continue), so memory follows the page size.
// Transient errors (429, 5xx, timeouts) are retried with backoff; what still fails is recorded as a problem
// for the caller, never thrown.

import type { KindSpec } from '../engine/rule.ts';
import type { KObject } from '../engine/types.ts';
import { classifyApiError, withRetry, type ApiErrorInfo, type RetryOptions } from './retry.ts';

export interface ListProblem {
  kind: string;
  status?: number;
  message: string;
}

export interface ListOptions {
  pageSize: number;
  problems: ListProblem[];
  signal?: AbortSignal;
  /** Every failed request (also retried ones), for logs and metrics. */
  onApiError?: (info: ApiErrorInfo, kind: string, willRetry: boolean, delayMs: number) => void;
  retry?: Partial<Pick<RetryOptions, 'attempts' | 'baseMs' | 'maxMs' | 'sleep' | 'random'>>;
}

/** One page of a cluster-wide list; `rawLister` (src/audit/clients.ts) is the real one, tests pass plain data. */
export type ListPage = (req: { apiVersion: string; kind: string; plural: string; limit: number; continueToken?: string }) => Promise<{
  items: KObject[];
  metadata?: { continue?: string; _continue?: string };
}>;

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Yields each object of `spec` across all namespaces, with apiVersion/kind filled in (list items omit them)
 * and without managedFields or kubectl's last-applied annotation: no rule reads them and they are often
 * the bigger half of an object, so the in-memory inventory keeps only what rules need.
 *
 * Versions are tried in the spec's order: a cluster whose CRD does not serve the first one (404) is listed
 * through the next. 404 on every version means the CRD is not installed: an empty, complete answer.
 * An expired continue token (410) restarts the kind once; objects already yielded are not yielded again.
 */
export async function* listAll(list: ListPage, spec: KindSpec<unknown>, opts: ListOptions): AsyncGenerator<KObject> {
  const versions = spec.versions.length > 0 ? spec.versions : [''];
  for (const version of versions) {
    const apiVersion = spec.group ? `${spec.group}/${version}` : String(version);
    const seen = new Set<string>();
    let token: string | undefined;
    let restarted = false;
    let first = true;
    for (;;) {
      if (opts.signal?.aborted) {
        opts.problems.push({ kind: spec.kind, message: 'scan aborted' });
        return;
      }
      let page: Awaited<ReturnType<ListPage>>;
      try {
        page = await withRetry(() => list({ apiVersion, kind: spec.kind, plural: spec.plural, limit: opts.pageSize, ...(token ? { continueToken: token } : {}) }), {
          attempts: opts.retry?.attempts ?? 5,
          baseMs: opts.retry?.baseMs ?? 500,
          maxMs: opts.retry?.maxMs ?? 10_000,
          ...(opts.retry?.sleep ? { sleep: opts.retry.sleep } : {}),
          ...(opts.retry?.random ? { random: opts.retry.random } : {}),
          ...(opts.signal ? { signal: opts.signal } : {}),
          expected: (info) => (info.status === 404 && first) || (info.status === 410 && token !== undefined && !restarted),
          onError: (info, _attempt, willRetry, delay) => opts.onApiError?.(info, spec.kind, willRetry, delay),
        });
      } catch (err) {
        const info = classifyApiError(err);
        if (info.status === 404 && first) break; // this version is not served: try the next one
        if (info.status === 410 && token !== undefined && !restarted) {
          opts.onApiError?.(info, spec.kind, true, 0);
          restarted = true;
          token = undefined;
          continue;
        }
        opts.problems.push({ kind: spec.kind, ...(info.status !== undefined ? { status: info.status } : {}), message: info.message });
        return;
      }
      first = false;
      for (const item of page.items) {
        const uid = item.metadata?.uid;
        if (uid) {
          if (seen.has(uid)) continue;
          seen.add(uid);
        }
        if (item.metadata?.deletionTimestamp) continue; // on its way out: nothing to fix, no report to own
        yield slim(item, apiVersion, spec.kind);
      }
      token = page.metadata?.continue || page.metadata?._continue || undefined;
      if (!token) break;
    }
    if (!first) return; // listed through this version
  }
  // Every version answered 404: the CRD is not installed, which is normal (not every mesh is everywhere).
}

function slim(item: KObject, apiVersion: string, kind: string): KObject {
  const { managedFields: _m, ...metadata } = item.metadata ?? {};
  if (metadata.annotations && LAST_APPLIED in metadata.annotations) {
    const { [LAST_APPLIED]: _l, ...annotations } = metadata.annotations;
    metadata.annotations = annotations;
  }
  return { ...item, apiVersion, kind, metadata };
}
