// Listing every served kind cluster-wide, page by page (limit/continue), so memory follows the page size.

import type { KubernetesObjectApi } from '@kubernetes/client-node';
import type { KindSpec } from '../engine/rule.ts';
import type { KObject } from '../engine/types.ts';
import { statusOf } from '../kube/client.ts';

export interface ListProblem {
  kind: string;
  status?: number;
  message: string;
}

/** Yields each object of `spec` (its first served version) across all namespaces. */
export async function* listAll(api: KubernetesObjectApi, spec: KindSpec<unknown>, pageSize: number, problems: ListProblem[]): AsyncGenerator<KObject> {
  const apiVersion = spec.group ? `${spec.group}/${spec.versions[0]}` : String(spec.versions[0]);
  let token: string | undefined;
  do {
    let page;
    try {
      page = await api.list<KObject & { apiVersion: string; kind: string }>(apiVersion, spec.kind, undefined, undefined, undefined, undefined, undefined, undefined, pageSize, token);
    } catch (err) {
      const status = statusOf(err);
      // 404: the CRD is not installed in this cluster, which is normal (not every mesh is everywhere).
      if (status !== 404) problems.push({ kind: spec.kind, ...(status ? { status } : {}), message: (err as Error).message.split('\n')[0] ?? 'list failed' });
      return;
    }
    for (const item of page.items) {
      // List items omit apiVersion/kind; the engine needs them to find the rules.
      yield { ...item, apiVersion, kind: spec.kind } as KObject;
    }
    token = page.metadata?._continue || undefined;
  } while (token);
}
