// Findings of one audited resource → its wgpolicyk8s.io/v1alpha2 PolicyReport (ClusterPolicyReport for a
// cluster-scoped resource). Pure: building, naming, capping and hashing; src/kube/policyreport.ts writes.

import { createHash } from 'node:crypto';
import { RULE_FAILED } from '../engine/evaluate.ts';
import type { Finding, Severity } from '../engine/types.ts';

export const REPORT_GROUP = 'wgpolicyk8s.io';
export const REPORT_VERSION = 'v1alpha2';
export const REPORT_API_VERSION = `${REPORT_GROUP}/${REPORT_VERSION}`;
export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'meshguard';
/** Hash of everything but timestamps: an unchanged report is not written again. */
export const HASH_ANNOTATION = 'meshguard.io/results-hash';
/** How many results past the cap were left out (the summary still counts them). */
export const OMITTED_ANNOTATION = 'meshguard.io/results-omitted';
export const DEFAULT_MAX_RESULTS = 50;
/** Kubernetes label-value length; also keeps report names short enough for every tool that shows them. */
export const MAX_NAME = 63;

/** The audited resource, as much of it as the report needs. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  uid: string;
  scope: 'Namespaced' | 'Cluster';
}

export type ReportResultValue = 'pass' | 'fail' | 'warn' | 'error' | 'skip';
export type ReportSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export interface ReportResult {
  source: string;
  policy: string;
  rule: string;
  result: ReportResultValue;
  severity: ReportSeverity;
  message: string;
  properties: Record<string, string>;
  timestamp: { seconds: number; nanos: number };
}

export interface ReportSummary {
  pass: number;
  fail: number;
  warn: number;
  error: number;
  skip: number;
}

export interface PolicyReport {
  apiVersion: string;
  kind: 'PolicyReport' | 'ClusterPolicyReport';
  metadata: {
    name: string;
    namespace?: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    ownerReferences: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller: boolean; blockOwnerDeletion: boolean }>;
    resourceVersion?: string;
  };
  scope: { apiVersion: string; kind: string; namespace?: string; name: string; uid: string };
  summary: ReportSummary;
  results: ReportResult[];
}

/**
 * `meshguard-<kind>-<name>`, lower case. Longer than 63 characters: cut, and a hash of group, kind,
 * namespace and name appended, so two long names that share a prefix still get two reports.
 * The registry's kinds are unique by name (a unit test holds that), so kind + name is unambiguous
 * within a namespace.
 */
export function reportName(ref: Pick<ObjectRef, 'apiVersion' | 'kind' | 'namespace' | 'name'>): string {
  const base = `meshguard-${ref.kind.toLowerCase()}-${ref.name.toLowerCase()}`;
  if (base.length <= MAX_NAME) return base;
  const group = ref.apiVersion.includes('/') ? ref.apiVersion.slice(0, ref.apiVersion.indexOf('/')) : '';
  const hash = createHash('sha256').update(`${group}/${ref.kind}/${ref.namespace}/${ref.name}`).digest('hex').slice(0, 10);
  return `${base.slice(0, MAX_NAME - hash.length - 1).replace(/[^a-z0-9]+$/, '')}-${hash}`;
}

export function reportKind(ref: Pick<ObjectRef, 'scope'>): PolicyReport['kind'] {
  return ref.scope === 'Cluster' ? 'ClusterPolicyReport' : 'PolicyReport';
}

/**
 * error → fail/high, warning → warn/medium, info → skip/info (a note: a rule that could not run, or
 * could not decide); a rule that threw → error/medium. `critical` and `low` are not used.
 */
export function resultOf(f: Finding): { result: ReportResultValue; severity: ReportSeverity } {
  if (f.rule === RULE_FAILED) return { result: 'error', severity: 'medium' };
  const bySeverity: Record<Severity, { result: ReportResultValue; severity: ReportSeverity }> = {
    error: { result: 'fail', severity: 'high' },
    warning: { result: 'warn', severity: 'medium' },
    info: { result: 'skip', severity: 'info' },
  };
  return bySeverity[f.severity];
}

/** A resource gets (or keeps) a report while it has something to act on: an error, a warning or a failed rule. */
export function needsReport(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity !== 'info' || f.rule === RULE_FAILED);
}

const ORDER: Record<ReportResultValue, number> = { fail: 0, error: 1, warn: 2, skip: 3, pass: 4 };

export interface BuildOptions {
  /** Time of the scan: the timestamp of results that are new. */
  now: Date;
  /** The report as stored, if any: results that are unchanged keep the time they were first found. */
  previous?: Pick<PolicyReport, 'results'>;
  maxResults?: number;
}

export function buildReport(ref: ObjectRef, findings: readonly Finding[], opts: BuildOptions): PolicyReport {
  const max = opts.maxResults ?? DEFAULT_MAX_RESULTS;
  const scanTime = timestampOf(opts.now);
  const earlier = new Map<string, ReportResult['timestamp']>();
  for (const r of opts.previous?.results ?? []) if (r?.timestamp) earlier.set(resultKey(r), r.timestamp);

  const all: ReportResult[] = findings.map((f) => {
    const { result, severity } = resultOf(f);
    const properties: Record<string, string> = { path: f.path };
    if (f.fix) properties.fix = f.fix;
    const r: ReportResult = { source: MANAGED_BY, policy: familyOf(f.rule), rule: f.rule, result, severity, message: f.message, properties, timestamp: scanTime };
    r.timestamp = earlier.get(resultKey(r)) ?? scanTime;
    return r;
  });
  // Same finding twice (e.g. two inventory rules agreeing) is one result.
  const unique = [...new Map(all.map((r) => [resultKey(r), r])).values()];
  unique.sort((a, b) => ORDER[a.result] - ORDER[b.result] || cmp(a.rule, b.rule) || cmp(a.properties.path ?? '', b.properties.path ?? '') || cmp(a.message, b.message));

  const summary: ReportSummary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  for (const r of unique) summary[r.result]++;
  const results = unique.slice(0, max);
  const omitted = unique.length - results.length;

  const scope = { apiVersion: ref.apiVersion, kind: ref.kind, ...(ref.scope === 'Namespaced' ? { namespace: ref.namespace } : {}), name: ref.name, uid: ref.uid };
  const report: PolicyReport = {
    apiVersion: REPORT_API_VERSION,
    kind: reportKind(ref),
    metadata: {
      name: reportName(ref),
      ...(ref.scope === 'Namespaced' ? { namespace: ref.namespace } : {}),
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
      annotations: {},
      // Garbage-collected with the resource; never blocks its deletion, never claims to control it.
      ownerReferences: [{ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, uid: ref.uid, controller: false, blockOwnerDeletion: false }],
    },
    scope,
    summary,
    results,
  };
  if (omitted > 0) report.metadata.annotations[OMITTED_ANNOTATION] = String(omitted);
  report.metadata.annotations[HASH_ANNOTATION] = contentHash(report);
  return report;
}

/** Hash over what the report says (scope, owner, results without timestamps, summary), not when. */
export function contentHash(report: Pick<PolicyReport, 'scope' | 'summary' | 'results' | 'metadata'>): string {
  const stable = {
    scope: report.scope,
    owner: report.metadata.ownerReferences,
    omitted: report.metadata.annotations[OMITTED_ANNOTATION] ?? '0',
    summary: report.summary,
    results: report.results.map(({ timestamp: _t, ...rest }) => rest),
  };
  return createHash('sha256').update(JSON.stringify(stable)).digest('hex').slice(0, 16);
}

export function familyOf(rule: string): string {
  const slash = rule.indexOf('/');
  return slash < 0 ? rule : rule.slice(0, slash);
}

function resultKey(r: Pick<ReportResult, 'policy' | 'rule' | 'result' | 'message' | 'properties'>): string {
  return JSON.stringify([r.policy, r.rule, r.result, r.message, r.properties?.path ?? '']);
}

function timestampOf(d: Date): ReportResult['timestamp'] {
  const ms = d.getTime();
  return { seconds: Math.floor(ms / 1000), nanos: (ms % 1000) * 1_000_000 };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
