// Kubernetes Events about the background audit, on its Lease in meshguard's own namespace (the chart's
// Role grants events there and nowhere else): `kubectl get events -n <ns>` or `kubectl describe lease`
// shows when a scan starts finding errors, when they are gone, and when scans cannot complete.
//
// An Event is written when the picture changes (reason or counts), not every interval: a cluster with
// three known errors scanned every ten minutes should not gain 144 identical Events a day.

import type { CoreV1Api } from '@kubernetes/client-node';
import type { Logger } from '../server/logger.ts';

export interface AuditEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** What makes two events the same news (default: reason and message). */
  key?: string;
}

export interface EventSink {
  emit(event: AuditEvent): Promise<void>;
}

export interface LeaseEventsOptions {
  api: CoreV1Api;
  namespace: string;
  leaseName: string;
  /** This replica (the Lease holder identity). */
  identity: string;
  log: Logger;
}

export class LeaseEvents implements EventSink {
  readonly #o: LeaseEventsOptions;
  #lastKey: string | undefined;

  constructor(o: LeaseEventsOptions) {
    this.#o = o;
  }

  async emit(event: AuditEvent): Promise<void> {
    const key = event.key ?? `${event.reason}\n${event.message}`;
    if (key === this.#lastKey) return;
    const o = this.#o;
    const now = new Date();
    try {
      await o.api.createNamespacedEvent({
        namespace: o.namespace,
        body: {
          metadata: { generateName: `${o.leaseName}.`, namespace: o.namespace },
          involvedObject: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', name: o.leaseName, namespace: o.namespace },
          type: event.type,
          reason: event.reason,
          message: event.message.slice(0, 1024),
          source: { component: 'meshguard', host: o.identity },
          reportingComponent: 'meshguard.io/audit',
          reportingInstance: o.identity,
          firstTimestamp: now,
          lastTimestamp: now,
          count: 1,
        },
      });
      this.#lastKey = key;
    } catch (err) {
      // Events are a convenience next to logs, metrics and reports: a failure is logged, never fatal.
      o.log.warn({ event: 'audit.event', reason: event.reason, error: String((err as Error)?.message ?? err) }, 'cannot write a Kubernetes Event');
    }
  }
}
