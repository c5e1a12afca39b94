// Kubernetes access through @kubernetes/client-node. Only src/kube and src/audit import it.

import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { kubeConfigLocation } from './location.ts';

/**
 * The KubeConfig from kubeConfigLocation; undefined when there is none or it has no cluster.
 * (client-node's loadFromDefault would invent http://localhost:8080 when nothing is configured.)
 */
export function loadKubeConfig(file?: string): KubeConfig | undefined {
  const where = kubeConfigLocation(file);
  if (!where) return undefined;
  const kc = new KubeConfig();
  try {
    if ('file' in where) kc.loadFromFile(where.file);
    else kc.loadFromCluster();
  } catch {
    return undefined;
  }
  return kc.getCurrentCluster() ? kc : undefined;
}

export function objectApi(kc: KubeConfig): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(kc);
}

/** HTTP status of a client-node error, if it carries one. */
export function statusOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown; response?: { statusCode?: unknown } };
  for (const c of [e.code, e.statusCode, e.response?.statusCode]) if (typeof c === 'number') return c;
  return undefined;
}
