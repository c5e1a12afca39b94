// Prometheus metrics (prom-client), one registry per server so tests can run several side by side.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The apiserver's default webhook timeout is 10 s; a request past 80 % of it is close to failing. */
export const REQUEST_BUDGET_SECONDS = 10;
export const SLOW_FRACTION = 0.8;

export function createMetrics(opts: { defaultMetrics?: boolean } = {}) {
  const registry = new Registry();
  if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: registry, prefix: 'meshguard_' });
  const labels = ['webhook', 'kind', 'operation', 'outcome'] as const;
  return {
    registry,
    requests: new Counter({ name: 'meshguard_admission_requests_total', help: 'Admission requests answered', labelNames: labels, registers: [registry] }),
    latency: new Histogram({
      name: 'meshguard_admission_duration_seconds',
      help: 'Time from request body received to response written',
      labelNames: labels,
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 8, 10],
      registers: [registry],
    }),
    slow: new Counter({
      name: 'meshguard_admission_slow_requests_total',
      help: `Requests that took more than ${SLOW_FRACTION * 100}% of a ${REQUEST_BUDGET_SECONDS}s webhook budget`,
      labelNames: ['webhook'],
      registers: [registry],
    }),
    badRequests: new Counter({ name: 'meshguard_admission_bad_requests_total', help: 'Requests rejected before evaluation', labelNames: ['code'], registers: [registry] }),
    findings: new Counter({ name: 'meshguard_findings_total', help: 'Findings raised at admission', labelNames: ['rule', 'severity', 'mode'], registers: [registry] }),
    ruleErrors: new Counter({ name: 'meshguard_rule_errors_total', help: 'Rules that threw and were skipped', labelNames: ['rule'], registers: [registry] }),
    tlsReloads: new Counter({ name: 'meshguard_tls_reloads_total', help: 'Certificate pairs loaded', registers: [registry] }),
    tlsReloadErrors: new Counter({ name: 'meshguard_tls_reload_errors_total', help: 'Certificate pairs rejected (unreadable, half-written or mismatched)', registers: [registry] }),
    tlsNotAfter: new Gauge({ name: 'meshguard_tls_certificate_not_after_seconds', help: 'Expiry of the serving certificate in use (unix time)', registers: [registry] }),
    configValid: new Gauge({ name: 'meshguard_config_valid', help: '1 when the last config file read was valid, 0 when the last good one is kept', registers: [registry] }),
    configReloadErrors: new Counter({ name: 'meshguard_config_reload_errors_total', help: 'Config files rejected', registers: [registry] }),
    topologyObjects: new Gauge({ name: 'meshguard_topology_objects', help: 'MeshTopology objects in the merged view', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
