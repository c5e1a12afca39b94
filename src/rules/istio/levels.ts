// The policy levels of a DestinationRule and how Istio combines them:
//   spec.trafficPolicy                                   (top)
//   spec.trafficPolicy.portLevelSettings[i]              (top-port)
//   spec.subsets[j].trafficPolicy                        (subset)
//   spec.subsets[j].trafficPolicy.portLevelSettings[k]   (subset-port)
// A subset's loadBalancer / outlierDetection, when absent, is taken from the destination level (for a
// port listed in the top-level portLevelSettings, from that entry). A portLevelSettings entry inherits
// nothing: an omitted field falls back to Envoy's defaults, not to the enclosing level.

import type { DestinationRule, LoadBalancer, LocalityLbSetting, OutlierDetection } from './schema.ts';

export type LevelKind = 'top' | 'top-port' | 'subset' | 'subset-port';

export interface Level {
  kind: LevelKind;
  /** Pointer tokens of the policy object at this level. */
  tokens: Array<string | number>;
  loadBalancer: LoadBalancer | undefined;
  outlierDetection: OutlierDetection | undefined;
  /** Port number of a port-level entry. */
  port?: number;
  /** Index of the subset for subset levels. */
  subset?: number;
}

const orUndefined = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

export function levels(dr: DestinationRule): Level[] {
  const out: Level[] = [];
  const add = (kind: LevelKind, tokens: Array<string | number>, p: { loadBalancer?: LoadBalancer | null; outlierDetection?: OutlierDetection | null; port?: { number?: number | null } | null }, subset?: number) => {
    const level: Level = { kind, tokens, loadBalancer: orUndefined(p.loadBalancer), outlierDetection: orUndefined(p.outlierDetection) };
    const port = p.port?.number;
    if (typeof port === 'number') level.port = port;
    if (subset !== undefined) level.subset = subset;
    out.push(level);
  };
  const top = dr.spec.trafficPolicy;
  if (top) {
    add('top', ['spec', 'trafficPolicy'], top);
    top.portLevelSettings?.forEach((p, i) => add('top-port', ['spec', 'trafficPolicy', 'portLevelSettings', i], p));
  }
  dr.spec.subsets?.forEach((s, j) => {
    const tp = s.trafficPolicy;
    if (!tp) return;
    add('subset', ['spec', 'subsets', j, 'trafficPolicy'], tp, j);
    tp.portLevelSettings?.forEach((p, k) => add('subset-port', ['spec', 'subsets', j, 'trafficPolicy', 'portLevelSettings', k], p, j));
  });
  return out;
}

export function topLevel(all: readonly Level[]): Level | undefined {
  return all.find((l) => l.kind === 'top');
}

/** The localityLbSetting written at this level, with its pointer tokens. */
export function ownLocality(level: Level): { lls: LocalityLbSetting; tokens: Array<string | number> } | undefined {
  const lls = level.loadBalancer?.localityLbSetting;
  return lls ? { lls, tokens: [...level.tokens, 'loadBalancer', 'localityLbSetting'] } : undefined;
}

export function hasFailover(lls: LocalityLbSetting | undefined): boolean {
  return !!lls && lls.enabled !== false && ((lls.failover?.length ?? 0) > 0 || (lls.failoverPriority?.length ?? 0) > 0);
}

/** Pointer tokens of the field that turns failover on (failover, else failoverPriority). */
export function failoverTokens(lls: LocalityLbSetting, base: Array<string | number>): Array<string | number> {
  return (lls.failover?.length ?? 0) > 0 ? [...base, 'failover'] : [...base, 'failoverPriority'];
}

/** The load balancer that applies at this level (a subset without one uses the destination level's). */
export function effectiveLoadBalancer(level: Level, all: readonly Level[]): { lb: LoadBalancer; own: boolean; tokens: Array<string | number> } | undefined {
  if (level.loadBalancer) return { lb: level.loadBalancer, own: true, tokens: [...level.tokens, 'loadBalancer'] };
  if (level.kind !== 'subset') return undefined;
  const top = topLevel(all);
  return top?.loadBalancer ? { lb: top.loadBalancer, own: false, tokens: [...top.tokens, 'loadBalancer'] } : undefined;
}

/** The outlier detection that applies at this level on ports without a top-level port entry. */
export function effectiveOutlier(level: Level, all: readonly Level[]): { od: OutlierDetection; own: boolean; tokens: Array<string | number> } | undefined {
  if (level.outlierDetection) return { od: level.outlierDetection, own: true, tokens: [...level.tokens, 'outlierDetection'] };
  if (level.kind !== 'subset') return undefined;
  const top = topLevel(all);
  return top?.outlierDetection ? { od: top.outlierDetection, own: false, tokens: [...top.tokens, 'outlierDetection'] } : undefined;
}

/** Why failover at this level has no outlier detection behind it, or undefined when it has one. */
export interface OutlierGap {
  level: Level;
  /** Pointer tokens of the failover / failoverPriority field. */
  failover: Array<string | number>;
  /** For a subset that inherits outlierDetection on most ports: the top-level port entries that have none. */
  uncoveredPorts?: number[];
}

/**
 * Levels whose own localityLbSetting turns failover on while no outlierDetection applies to them.
 * `anticipate`: treat the top level and top-level port entries as already given outlierDetection when
 * they have a gap themselves (what the defaulter is about to inject), so subsets are judged against the
 * object as it will be stored.
 */
export function outlierGaps(all: readonly Level[], anticipate = false): OutlierGap[] {
  const gaps: OutlierGap[] = [];
  const top = topLevel(all);
  const needs = (l: Level) => hasFailover(l.loadBalancer?.localityLbSetting ?? undefined);
  const topHasOd = !!top && (!!top.outlierDetection || (anticipate && needs(top)));
  const topPortsWithoutOd = all
    .filter((l) => l.kind === 'top-port' && !l.outlierDetection && !(anticipate && needs(l)))
    .map((l) => l.port)
    .filter((p): p is number => p !== undefined);
  for (const level of all) {
    const own = ownLocality(level);
    if (!own || !hasFailover(own.lls) || level.outlierDetection) continue;
    const gap: OutlierGap = { level, failover: failoverTokens(own.lls, own.tokens) };
    if (level.kind === 'subset' && topHasOd) {
      if (topPortsWithoutOd.length === 0) continue;
      gap.uncoveredPorts = topPortsWithoutOd;
    }
    gaps.push(gap);
  }
  return gaps;
}

export function isZeroOrAbsent(n: number | null | undefined): boolean {
  return n === undefined || n === null || n === 0;
}
