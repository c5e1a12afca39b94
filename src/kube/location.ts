// Where cluster credentials would come from, decided without loading @kubernetes/client-node: that
// library adds ~80 MiB of RSS and ~0.5 s of startup, which a server with no cluster access never needs.

import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export type KubeConfigLocation = { file: string } | { inCluster: true };

/** --kubeconfig, else $KUBECONFIG, else in-cluster, else ~/.kube/config; undefined when none exists. */
export function kubeConfigLocation(file?: string): KubeConfigLocation | undefined {
  if (file) return { file };
  if (process.env.KUBECONFIG) return { file: process.env.KUBECONFIG.split(':')[0] ?? '' };
  if (process.env.KUBERNETES_SERVICE_HOST) return { inCluster: true };
  const home = join(homedir(), '.kube', 'config');
  return existsSync(home) ? { file: home } : undefined;
}
