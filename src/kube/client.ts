// Kubernetes access through @kubernetes/client-node. Only src/kube and src/audit import it.

import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * --kubeconfig, else $KUBECONFIG, else in-cluster, else ~/.kube/config; undefined when none exists.
 * (client-node's loadFromDefault would invent http://localhost:8080 when nothing is configured.)
 */
export function loadKubeConfig(file?: string): KubeConfig | undefined {
  const kc = new KubeConfig();
  const home = join(homedir(), '.kube', 'config');
  try {
    if (file) kc.loadFromFile(file);
    else if (process.env.KUBECONFIG) kc.loadFromFile(process.env.KUBECONFIG.split(':')[0] ?? '');
    else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
    else if (existsSync(home)) kc.loadFromFile(home);
    else return undefined;
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
