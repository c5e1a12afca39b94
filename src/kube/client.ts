// Kubernetes access through @kubernetes/client-node. Only src/kube and src/audit import it.

import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';

/** --kubeconfig, else $KUBECONFIG / ~/.kube/config, else in-cluster; undefined when none is usable. */
export function loadKubeConfig(file?: string): KubeConfig | undefined {
  const kc = new KubeConfig();
  try {
    if (file) kc.loadFromFile(file);
    else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else kc.loadFromDefault();
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
