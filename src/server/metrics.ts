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
    // Background audit (src/audit). Findings and objects describe the last complete scan (gauges, reset per scan).
    auditFindings: new Gauge({ name: 'meshguard_audit_findings', help: 'Findings of the last complete audit scan', labelNames: ['rule', 'severity', 'kind'], registers: [registry] }),
    auditObjects: new Gauge({ name: 'meshguard_audit_objects_scanned', help: 'Objects evaluated by the last complete audit scan', labelNames: ['kind'], registers: [registry] }),
    auditDuration: new Histogram({
      name: 'meshguard_audit_scan_duration_seconds',
      help: 'Time to list and evaluate everything (report writes not included)',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
      registers: [registry],
    }),
    auditLastSuccess: new Gauge({ name: 'meshguard_audit_last_success_timestamp_seconds', help: 'End of the last complete audit scan (unix time)', registers: [registry] }),
    auditScans: new Counter({ name: 'meshguard_audit_scans_total', help: 'Audit scans by outcome: complete, incomplete (a kind could not be listed), aborted, failed', labelNames: ['outcome'], registers: [registry] }),
    auditApiErrors: new Counter({ name: 'meshguard_audit_api_errors_total', help: 'Failed Kubernetes API calls of the audit, by operation and HTTP status (or timeout/network)', labelNames: ['operation', 'status'], registers: [registry] }),
    auditReports: new Counter({ name: 'meshguard_audit_report_writes_total', help: 'PolicyReport writes by operation (create, update, delete) and outcome', labelNames: ['operation'], registers: [registry] }),
    auditLeader: new Gauge({ name: 'meshguard_audit_leader', help: '1 while this replica holds the audit Lease', registers: [registry] }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
