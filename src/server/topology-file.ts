// --topology FILE: the merged MeshTopology view from a file, reloaded on change (last good view kept).

import { parseAllDocuments } from 'yaml';
import { WatchedFile } from '../config/watched-file.ts';
import type { TopologyView } from '../engine/context.ts';
import type { KObject } from '../engine/types.ts';
import { buildTopology, TOPOLOGY_API_VERSION, TOPOLOGY_KIND } from '../topology/index.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import type { ContextSource } from './serve.ts';

export function parseTopologyFile(text: string): { view: TopologyView; objects: number; problems: string[] } {
  const objects: KObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors[0]) throw new Error(doc.errors[0].message.split('\n')[0]);
    const v = doc.toJS() as KObject | null;
    if (v && v.apiVersion === TOPOLOGY_API_VERSION && v.kind === TOPOLOGY_KIND) objects.push(v);
  }
  if (objects.length === 0) throw new Error(`no ${TOPOLOGY_KIND} (${TOPOLOGY_API_VERSION}) in the file`);
  const built = buildTopology(objects);
  return { view: built.view, objects: objects.length, problems: built.findings.filter((f) => f.severity === 'error').map((f) => `[${f.rule}] ${f.message}`) };
}

export function topologyFileSource(path: string, log: Logger, metrics: Metrics): ContextSource {
  const file = new WatchedFile(path, parseTopologyFile, {
    loaded: (t) => {
      metrics.topologyObjects.set(t.objects);
      if (t.problems.length > 0) log.warn({ event: 'topology.problems', path, problems: t.problems }, 'topology has errors; rules use it as written');
      log.info({ event: 'topology.loaded', path, objects: t.objects }, 'topology loaded');
    },
    failed: (reason) => log.error({ event: 'topology.invalid', path }, `${reason}; keeping the last good topology`),
  });
  return {
    name: 'topology-file',
    topology: () => file.value?.view,
    ready: () => file.value !== undefined,
    start: async () => {
      await file.reload();
      file.start();
    },
    stop: () => file.stop(),
  };
}
