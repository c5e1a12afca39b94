// A complete scan's findings → log lines and metrics.
//
// One `audit.finding` line per error or warning finding, with stable fields (rule, severity, kind,
// namespace, name, path, message). Notes (info: a rule skipped for lack of a MeshTopology, a counterpart
// in another cluster) repeat for every object of a kind, so they are one `audit.notes` line per rule with a
// count and an example instead of thousands of identical lines.

import type { Finding, Severity } from '../engine/types.ts';
import type { Logger } from '../server/logger.ts';
import type { Metrics } from '../server/metrics.ts';
import type { ObjectRef } from './report.ts';
import type { ScanResult } from './scan.ts';

export interface FindingCounts {
  errors: number;
  warnings: number;
  notes: number;
}

export function logFindings(scan: Pick<ScanResult, 'objects' | 'general'>, log: Logger): FindingCounts {
  const counts: FindingCounts = { errors: 0, warnings: 0, notes: 0 };
  const notes = new Map<string, { count: number; example: { ref?: ObjectRef; message: string } }>();
  const one = (f: Finding, ref?: ObjectRef) => {
    if (f.severity === 'info') {
      counts.notes++;
      const n = notes.get(f.rule);
      if (n) n.count++;
      else notes.set(f.rule, { count: 1, example: { ...(ref ? { ref } : {}), message: f.message } });
      return;
    }
    if (f.severity === 'error') counts.errors++;
    else counts.warnings++;
    const line = {
      event: 'audit.finding',
      rule: f.rule,
      severity: f.severity,
      kind: ref?.kind ?? '',
      apiVersion: ref?.apiVersion ?? '',
      namespace: ref?.namespace ?? '',
      name: ref?.name ?? '',
      path: f.path,
      message: f.message,
      ...(f.fix ? { fix: f.fix } : {}),
    };
    const text = `[${f.rule}] ${ref ? `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: ` : ''}${f.message}`;
    if (f.severity === 'error') log.warn(line, text);
    else log.info(line, text);
  };
  for (const o of scan.objects) for (const f of o.findings) one(f, o.ref);
  for (const f of scan.general) one(f);
  for (const [rule, n] of notes) {
    const ex = n.example.ref;
    log.info(
      { event: 'audit.notes', rule, severity: 'info' satisfies Severity, count: n.count, ...(ex ? { kind: ex.kind, namespace: ex.namespace, name: ex.name } : {}), message: n.example.message },
      `[${rule}] ${n.count} note(s), e.g. ${n.example.message}`,
    );
  }
  return counts;
}

/** Gauges describe the last complete scan: reset, then set, so a fixed finding's series goes away. */
export function recordScanMetrics(scan: Pick<ScanResult, 'objects' | 'general' | 'counts'>, metrics: Metrics, kinds: readonly string[] = []): void {
  const byKey = new Map<string, { rule: string; severity: string; kind: string; n: number }>();
  const add = (f: Finding, kind: string) => {
    const k = `${f.rule}\0${f.severity}\0${kind}`;
    const e = byKey.get(k);
    if (e) e.n++;
    else byKey.set(k, { rule: f.rule, severity: f.severity, kind, n: 1 });
  };
  for (const o of scan.objects) for (const f of o.findings) add(f, o.ref.kind);
  for (const f of scan.general) add(f, '');
  metrics.auditFindings.reset();
  for (const e of byKey.values()) metrics.auditFindings.set({ rule: e.rule, severity: e.severity, kind: e.kind }, e.n);
  metrics.auditObjects.reset();
  for (const kind of kinds) metrics.auditObjects.set({ kind }, 0);
  for (const [kind, n] of scan.counts) metrics.auditObjects.set({ kind }, n);
}
