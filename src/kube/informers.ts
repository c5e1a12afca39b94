// Informer-fed context for the server: the merged MeshTopology view and ConfigMap lookups, kept in
// memory so admission reads caches and never lists per request. Informers restart with backoff.

import { CoreV1Api, CustomObjectsApi, makeInformer, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import type { ClusterLookups, TopologyView } from '../engine/context.ts';
import type { KObject } from '../engine/types.ts';
import type { Logger } from '../server/logger.ts';
import type { Metrics } from '../server/metrics.ts';
import type { ContextSource } from '../server/serve.ts';
import { buildTopology, TOPOLOGY_GROUP, TOPOLOGY_PLURAL, TOPOLOGY_VERSION } from '../topology/index.ts';
import { statusOf } from './client.ts';

type Inf<T extends KubernetesObject> = ReturnType<typeof makeInformer<T>>;

interface Watched<T extends KubernetesObject> {
  informer: Inf<T>;
  synced: boolean;
}

/** Starts an informer and keeps it running: on error, restart after a capped exponential backoff. */
function keepRunning<T extends KubernetesObject>(name: string, informer: Inf<T>, log: Logger, onChange: () => void): Watched<T> & { start: () => Promise<void>; stop: () => Promise<void> } {
  const w = { informer, synced: false };
  let stopped = false;
  let delay = 1000;
  let timer: NodeJS.Timeout | undefined;
  const restart = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      informer
        .start()
        .then(() => {
          w.synced = true;
          delay = 1000;
          onChange();
        })
        .catch((err) => {
          if (statusOf(err) === 404) w.synced = true; // nothing to watch yet is a known, empty state
          log.warn({ event: 'informer.error', informer: name, status: statusOf(err), retryMs: delay }, String(err?.message ?? err));
          delay = Math.min(delay * 2, 30_000);
          restart();
        });
    }, delay);
    timer.unref();
  };
  informer.on('add', onChange);
  informer.on('update', onChange);
  informer.on('delete', onChange);
  informer.on('error', (err) => {
    log.warn({ event: 'informer.error', informer: name, status: statusOf(err), retryMs: delay }, String(err?.message ?? err));
    restart();
    // Back off while the apiserver keeps failing; a successful restart resets it.
    delay = Math.min(delay * 2, 30_000);
  });
  return {
    ...w,
    get synced() {
      return w.synced;
    },
    start: async () => {
      try {
        await informer.start();
        w.synced = true;
        onChange();
      } catch (err) {
        // 404: the MeshTopology CRD is not installed yet. Not fatal: empty for now, keep trying.
        if (statusOf(err) === 404) w.synced = true;
        log.warn({ event: 'informer.error', informer: name, status: statusOf(err), retryMs: delay }, String((err as Error).message ?? err));
        restart();
      }
    },
    stop: async () => {
      stopped = true;
      clearTimeout(timer);
      await informer.stop().catch(() => undefined);
    },
  };
}

export interface ClusterSourceOptions {
  log: Logger;
  metrics: Metrics;
  /** Called (debounced) after the topology changed, e.g. to trigger an audit scan. */
  onTopologyChange?: () => void;
  configMapLookups?: boolean;
}

export function clusterSource(kc: KubeConfig, opts: ClusterSourceOptions): ContextSource {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  let view: TopologyView | undefined;
  let rebuild: NodeJS.Timeout | undefined;

  const topoInformer = makeInformer<KubernetesObject>(kc, `/apis/${TOPOLOGY_GROUP}/${TOPOLOGY_VERSION}/${TOPOLOGY_PLURAL}`, () =>
    custom.listClusterCustomObject({ group: TOPOLOGY_GROUP, version: TOPOLOGY_VERSION, plural: TOPOLOGY_PLURAL }),
  );
  const topo = keepRunning('meshtopologies', topoInformer, opts.log, () => {
    clearTimeout(rebuild);
    rebuild = setTimeout(() => {
      const objects = topoInformer.list() as unknown as KObject[];
      const built = buildTopology(objects.map((o) => ({ ...o, apiVersion: `${TOPOLOGY_GROUP}/${TOPOLOGY_VERSION}`, kind: 'MeshTopology' })));
      view = objects.length > 0 ? built.view : undefined;
      opts.metrics.topologyObjects.set(objects.length);
      opts.log.info({ event: 'topology.updated', objects: objects.length, problems: built.findings.length }, 'topology view rebuilt');
      opts.onTopologyChange?.();
    }, 200);
    rebuild.unref();
  });

  // ServiceMeshPeers, so admission can tell whether an Exported/ImportedServiceSet names a real peer.
  const peerInformer = makeInformer<KubernetesObject>(kc, '/apis/federation.maistra.io/v1/servicemeshpeers', () =>
    custom.listClusterCustomObject({ group: 'federation.maistra.io', version: 'v1', plural: 'servicemeshpeers' }),
  );
  const peers = keepRunning('servicemeshpeers', peerInformer, opts.log, () => undefined);

  const cmInformer = opts.configMapLookups === false ? undefined : makeInformer(kc, '/api/v1/configmaps', () => core.listConfigMapForAllNamespaces());
  const cms = cmInformer ? keepRunning('configmaps', cmInformer, opts.log, () => undefined) : undefined;
  const lookups: ClusterLookups | undefined = cmInformer
    ? {
        configMap: (namespace, name) => {
          const cm = cmInformer.get(name, namespace);
          return cm ? { data: { ...(cm.data ?? {}), ...(cm.binaryData ?? {}) } } : undefined;
        },
        serviceMeshPeers: (namespace: string) => (peerInformer.list(namespace) as unknown as KObject[]).map((p) => ({ ...p, apiVersion: 'federation.maistra.io/v1', kind: 'ServiceMeshPeer' })),
      }
    : undefined;

  return {
    name: 'cluster-caches',
    topology: () => view,
    lookups: () => (cms?.synced ? lookups : undefined),
    ready: () => topo.synced && peers.synced && (cms?.synced ?? true),
    start: async () => {
      await Promise.all([topo.start(), peers.start(), cms?.start()]);
    },
    stop: async () => {
      clearTimeout(rebuild);
      await Promise.all([topo.stop(), peers.stop(), cms?.stop()]);
    },
  };
}
