// DestinationRule (networking.istio.io v1 / v1beta1 / v1alpha3): locality failover and weighted
// distribution (seed 003), checked at every policy level (see levels.ts). Three groups of rules:
// * what makes failover or distribution silently inert (meshguard's own checks, seed 003);
// * what Istio itself rejects, so `meshguard check` and the audit report it where no istiod answers;
// * with a MeshTopology: whether the regions and zones named exist in the mesh.

import type { RuleContext, TopologyView } from '../../engine/context.ts';
import { dotted, ptr } from '../../engine/pointer.ts';
import { defineDefaulter, defineKind, defineValidator } from '../../engine/rule.ts';
import {
  hasEmptySegment,
  isPartialWildcard,
  isRegionOnly,
  isValidLocality,
  overlappingPairs,
  regionOf,
  wildcardProblem,
  zoneOf,
} from '../../net/locality.ts';
import { durationProblem } from './duration.ts';
import {
  effectiveLoadBalancer,
  effectiveOutlier,
  failoverTokens,
  hasFailover,
  isZeroOrAbsent,
  levels,
  outlierGaps,
  ownLocality,
  type Level,
} from './levels.ts';
import { destinationRuleSchema, NETWORKING_GROUP, NETWORKING_VERSIONS, type DestinationRule, type LocalityLbSetting, type OutlierDetection } from './schema.ts';

type Tokens = Array<string | number>;

/** Seed 003: "eject for 1 minute when the service does not answer within 1 second". */
export const SEED_OUTLIER_DETECTION = Object.freeze({ consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '1m' });

/** failoverPriority labels that carry the same information as `failover` (Istio rejects both together). */
export const LOCALITY_PRIORITY_LABELS = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

const at = (tokens: Tokens) => ptr(...tokens);
const where = (tokens: Tokens) => dotted(at(tokens));

/** Calls `fn` for every localityLbSetting written at some level. */
function eachLocality(dr: DestinationRule, fn: (lls: LocalityLbSetting, base: Tokens, level: Level) => void): void {
  for (const level of levels(dr)) {
    const own = ownLocality(level);
    if (own) fn(own.lls, own.tokens, level);
  }
}

function eachOutlier(dr: DestinationRule, fn: (od: OutlierDetection, base: Tokens) => void): void {
  for (const level of levels(dr)) if (level.outlierDetection) fn(level.outlierDetection, [...level.tokens, 'outlierDetection']);
}

const failovers = (lls: LocalityLbSetting) => lls.failover ?? [];
const distributes = (lls: LocalityLbSetting) => lls.distribute ?? [];
const str = (s: string | null | undefined) => s ?? '';

// ---------------------------------------------------------------------------------------------
// Failover only fires when unhealthy endpoints are ejected (seed 003).

export const injectOutlierDetection = defineDefaulter<DestinationRule>({
  id: 'istio-dr/inject-outlier-detection',
  severity: 'warning',
  summary:
    'where failover or failoverPriority is set and no outlierDetection applies at that level, inject seed 003\'s {consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 1m}',
  source: '003',
  apply(obj, _ctx, set) {
    const all = levels(obj);
    const top = all.find((l) => l.kind === 'top');
    for (const gap of outlierGaps(all, true)) {
      const target = [...gap.level.tokens, 'outlierDetection'];
      if (gap.uncoveredPorts && top) {
        // The subset already inherits the destination's outlierDetection on most ports: copy that one
        // so those ports keep behaving as written, and the listed ports get it too.
        const inherited = top.outlierDetection ?? SEED_OUTLIER_DETECTION;
        set(at(target), structuredClone(inherited), `failover needs ejection; copied from spec.trafficPolicy for port(s) ${gap.uncoveredPorts.join(', ')}`);
      } else {
        set(at(target), { ...SEED_OUTLIER_DETECTION }, 'failover never fires without outlier detection (seed 003 values)');
      }
    }
  },
});

export const failoverNeedsOutlierDetection = defineValidator<DestinationRule>({
  id: 'istio-dr/failover-needs-outlier-detection',
  severity: 'error',
  summary: 'failover / failoverPriority has an outlierDetection at the same level (or inherited by a subset); without it no endpoint is ever ejected and failover never fires',
  source: '003, istio',
  check(obj, _ctx, report) {
    for (const gap of outlierGaps(levels(obj))) {
      const field = String(gap.failover[gap.failover.length - 1]);
      const odAt = where([...gap.level.tokens, 'outlierDetection']);
      const msg = gap.uncoveredPorts
        ? `${field} is set, but on port(s) ${gap.uncoveredPorts.join(', ')} this subset inherits a spec.trafficPolicy.portLevelSettings entry without outlierDetection, so failover never fires there`
        : `${field} is set but no outlierDetection applies here, so unhealthy endpoints are never ejected and failover never fires`;
      report(at(gap.failover), msg, `add ${odAt} (e.g. consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 1m), or let meshguard's mutating webhook inject it`);
    }
  },
});

export const distributeWithFailoverPriority = defineValidator<DestinationRule>({
  id: 'istio-dr/distribute-with-failover-priority',
  severity: 'error',
  summary: 'distribute and failoverPriority are not set together (failoverPriority is silently ignored when distribute is set)',
  source: '003, istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      if (distributes(lls).length > 0 && (lls.failoverPriority?.length ?? 0) > 0) {
        report(at([...base, 'failoverPriority']), `failoverPriority [${lls.failoverPriority!.join(', ')}] is ignored because distribute is set at the same level`, 'remove failoverPriority, or remove distribute and use failover/failoverPriority only');
      }
    });
  },
});

function ejectionOff(od: OutlierDetection): boolean {
  if (od.consecutive5xxErrors !== 0) return false;
  if (!isZeroOrAbsent(od.consecutiveGatewayErrors)) return false;
  // The deprecated field and split local-origin failures also eject; then ejection is not off.
  if (!isZeroOrAbsent(od.consecutiveErrors)) return false;
  if (od.splitExternalLocalOriginErrors === true && !isZeroOrAbsent(od.consecutiveLocalOriginFailures)) return false;
  return true;
}

export const consecutive5xxZero = defineValidator<DestinationRule>({
  id: 'istio-dr/consecutive-5xx-zero-with-failover',
  severity: 'error',
  summary: 'outlierDetection.consecutive5xxErrors: 0 without consecutiveGatewayErrors turns ejection off, so failover set at that level never fires',
  source: '003',
  check(obj, _ctx, report) {
    const all = levels(obj);
    for (const level of all) {
      const lb = effectiveLoadBalancer(level, all);
      const od = effectiveOutlier(level, all);
      if (!lb || !od || (!lb.own && !od.own)) continue;
      const lls = lb.lb.localityLbSetting ?? undefined;
      if (!hasFailover(lls) || !ejectionOff(od.od)) continue;
      const path = od.own ? at([...od.tokens, 'consecutive5xxErrors']) : at(failoverTokens(lls!, [...lb.tokens, 'localityLbSetting']));
      const msg = od.own
        ? 'consecutive5xxErrors: 0 with no consecutiveGatewayErrors disables ejection, so the failover set here never fires'
        : `failover is set here, but the inherited ${where(od.tokens)} has consecutive5xxErrors: 0 and no consecutiveGatewayErrors, so ejection is off and failover never fires`;
      report(path, msg, `set ${where([...od.tokens, 'consecutive5xxErrors'])} to 1 or more (seed 003 uses 1), or set consecutiveGatewayErrors`);
    }
  },
});

export const gatewayErrorsNotBelow5xx = defineValidator<DestinationRule>({
  id: 'istio-dr/gateway-errors-not-below-5xx',
  severity: 'warning',
  summary: 'consecutiveGatewayErrors is below consecutive5xxErrors (gateway errors are 5xx too, so a threshold at or above the 5xx one never trips first)',
  source: '003',
  check(obj, _ctx, report) {
    eachOutlier(obj, (od, base) => {
      const gw = od.consecutiveGatewayErrors;
      const all = od.consecutive5xxErrors;
      if (typeof gw !== 'number' || typeof all !== 'number' || gw === 0 || all === 0 || gw < all) return;
      report(
        at([...base, 'consecutiveGatewayErrors']),
        `consecutiveGatewayErrors ${gw} >= consecutive5xxErrors ${all}: 502/503/504 also count as 5xx, so the 5xx threshold always ejects first and this one has no effect`,
        `set consecutiveGatewayErrors below ${all}, or remove it`,
      );
    });
  },
});

export const duplicateFailoverFrom = defineValidator<DestinationRule>({
  id: 'istio-dr/duplicate-failover-from',
  severity: 'error',
  summary: 'each failover[].from region appears once per localityLbSetting (only one of the duplicates can take effect)',
  source: '003',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      const seen = new Map<string, number>();
      failovers(lls).forEach((f, i) => {
        const from = str(f.from);
        const first = seen.get(from);
        if (first === undefined) seen.set(from, i);
        else report(at([...base, 'failover', i, 'from']), `failover from ${JSON.stringify(from)} is already given by failover[${first}] (to ${JSON.stringify(str(failovers(lls)[first]?.to))}); only one target per source region takes effect`, `keep one failover entry for ${JSON.stringify(from)}`);
      });
    });
  },
});

export const failoverChain = defineValidator<DestinationRule>({
  id: 'istio-dr/failover-chain',
  severity: 'warning',
  summary:
    'failover entries do not form chains or cycles of three or more regions (failover is per source region and not transitive); a mutual pair A→B, B→A is the normal both-ways setup',
  source: '003',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      const list = failovers(lls).map((f) => ({ from: str(f.from), to: str(f.to) }));
      list.forEach((a, i) => {
        if (a.from === '' || a.to === '' || a.from === a.to) return;
        const j = list.findIndex((b, k) => k !== i && b.from === a.to && b.to !== a.from && b.to !== '' && b.to !== b.from);
        if (j < 0) return;
        const b = list[j]!;
        report(
          at([...base, 'failover', i, 'to']),
          `failover is not transitive: clients in ${a.from} fail over to ${a.to}, then to all other regions alike; ${b.from} → ${b.to} (failover[${j}]) applies only to clients in ${b.from}`,
          `if ${a.from} should prefer ${b.to} after ${a.to}, use failoverPriority; otherwise ignore this warning or disable the rule`,
        );
      });
    });
  },
});

export const localityLbDisabled = defineValidator<DestinationRule>({
  id: 'istio-dr/locality-lb-disabled',
  severity: 'warning',
  summary: 'localityLbSetting.enabled: false together with distribute, failover or failoverPriority (the settings are inert)',
  source: '003',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      if (lls.enabled !== false) return;
      const set = (['distribute', 'failover', 'failoverPriority'] as const).filter((k) => (lls[k]?.length ?? 0) > 0);
      if (set.length === 0) return;
      report(at([...base, 'enabled']), `localityLbSetting.enabled is false, so ${set.join(' and ')} ${set.length > 1 ? 'have' : 'has'} no effect`, `remove enabled: false (or set it to true), or remove ${set.join(' and ')}`);
    });
  },
});

// ---------------------------------------------------------------------------------------------
// What Istio's own validation rejects (localityLbSetting, loadBalancer, outlierDetection).

export const distributeWithFailover = defineValidator<DestinationRule>({
  id: 'istio-dr/distribute-with-failover',
  severity: 'error',
  summary: 'distribute and failover are not set in the same localityLbSetting (Istio rejects it)',
  source: 'istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      if (distributes(lls).length > 0 && failovers(lls).length > 0) {
        report(at([...base, 'failover']), "can not simultaneously specify 'distribute' and 'failover' in one localityLbSetting (Istio rejects it)", 'keep either distribute (weighted spreading) or failover (priority on failure), not both');
      }
    });
  },
});

export const distributeWeightRange = defineValidator<DestinationRule>({
  id: 'istio-dr/distribute-weight-range',
  severity: 'error',
  summary: 'every distribute[].to weight is a whole number in 1..100 (Istio rejects others)',
  source: 'istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      distributes(lls).forEach((d, i) => {
        for (const [loc, w] of Object.entries(d.to ?? {})) {
          if (!Number.isInteger(w) || w < 1 || w > 100) {
            report(at([...base, 'distribute', i, 'to', loc]), `weight ${w} for ${JSON.stringify(loc)} is outside 1..100 (Istio rejects it)`, 'give every target locality a whole-number weight from 1 to 100, or remove it');
          }
        }
      });
    });
  },
});

export const distributeWeightSum = defineValidator<DestinationRule>({
  id: 'istio-dr/distribute-weight-sum',
  severity: 'error',
  summary: 'the distribute[].to weights of each from locality sum to exactly 100 (Istio rejects others)',
  source: 'istio, 003',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      distributes(lls).forEach((d, i) => {
        const weights = Object.values(d.to ?? {});
        const sum = weights.reduce((a, b) => a + b, 0);
        if (sum !== 100) {
          report(at([...base, 'distribute', i, 'to']), `weights for from ${JSON.stringify(str(d.from))} sum to ${sum}, not 100 (Istio rejects it)`, `adjust the weights so they add up to 100 (seed 003: 90 local, 10 remote)`);
        }
      });
    });
  },
});

/** Both ends (from, to) of every failover entry of a localityLbSetting, with their pointer tokens. */
function failoverEnds(lls: LocalityLbSetting, base: Tokens): Array<{ text: string; tokens: Tokens; side: 'from' | 'to' }> {
  const out: Array<{ text: string; tokens: Tokens; side: 'from' | 'to' }> = [];
  failovers(lls).forEach((f, i) => {
    for (const side of ['from', 'to'] as const) out.push({ text: str(f[side]), tokens: [...base, 'failover', i, side], side });
  });
  return out;
}

/** Every locality string a localityLbSetting holds, with its pointer tokens. */
function localityStrings(lls: LocalityLbSetting, base: Tokens): Array<{ text: string; tokens: Tokens; role: 'from' | 'to' }> {
  const out: Array<{ text: string; tokens: Tokens; role: 'from' | 'to' }> = [];
  distributes(lls).forEach((d, i) => {
    out.push({ text: str(d.from), tokens: [...base, 'distribute', i, 'from'], role: 'from' });
    for (const loc of Object.keys(d.to ?? {})) out.push({ text: loc, tokens: [...base, 'distribute', i, 'to', loc], role: 'to' });
  });
  return out;
}

export const localityWildcard = defineValidator<DestinationRule>({
  id: 'istio-dr/locality-wildcard',
  severity: 'error',
  summary: "a distribute locality has at most one '*' and only as its last character (Istio rejects others)",
  source: 'istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      for (const l of localityStrings(lls, base)) {
        const problem = wildcardProblem(l.text);
        if (problem) report(at(l.tokens), `${problem} (Istio rejects it)`, "write region, region/*, region/zone/* or region/zone/subzone; '*' only as the whole last segment");
      }
    });
  },
});

export const localityEmptySegment = defineValidator<DestinationRule>({
  id: 'istio-dr/locality-empty-segment',
  severity: 'error',
  summary: 'a distribute locality has no empty region, zone or subzone segment (Istio rejects it)',
  source: 'istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      for (const l of localityStrings(lls, base)) {
        if (hasEmptySegment(l.text)) report(at(l.tokens), `locality ${JSON.stringify(l.text)} has an empty region/zone/subzone segment (Istio rejects it)`, 'remove the stray "/" or fill in the segment, e.g. cn-hangzhou/cn-hangzhou-j');
      }
    });
  },
});

export const localityPartialWildcard = defineValidator<DestinationRule>({
  id: 'istio-dr/locality-partial-wildcard',
  severity: 'warning',
  summary: "a '*' that ends a locality segment without being the whole segment (e.g. zone*) is compared literally and matches nothing",
  source: 'istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      for (const l of localityStrings(lls, base)) {
        if (isPartialWildcard(l.text)) report(at(l.tokens), `${JSON.stringify(l.text)} is not a prefix wildcard: Istio matches '*' only as a whole segment, so this matches only a locality literally named so`, `use ${JSON.stringify(l.text.slice(0, l.text.lastIndexOf('/') + 1) + '*')} or name the zone exactly`);
      }
    });
  },
});

export const localityOverlap = defineValidator<DestinationRule>({
  id: 'istio-dr/locality-overlap',
  severity: 'error',
  summary: 'distribute from localities do not overlap each other, nor do the to localities of one entry (Istio rejects overlaps)',
  source: 'istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      const list = distributes(lls);
      const froms = list.map((d) => str(d.from));
      for (const [i, j] of overlappingPairs(froms)) {
        report(at([...base, 'distribute', j, 'from']), `from ${JSON.stringify(froms[j])} overlaps distribute[${i}].from ${JSON.stringify(froms[i])}: a proxy there would match both (Istio rejects it)`, 'make the from localities disjoint, or merge the two entries');
      }
      list.forEach((d, k) => {
        const tos = Object.keys(d.to ?? {});
        for (const [i, j] of overlappingPairs(tos)) {
          report(at([...base, 'distribute', k, 'to', tos[j]!]), `to ${JSON.stringify(tos[j])} overlaps ${JSON.stringify(tos[i])} in the same entry (Istio rejects it)`, 'make the target localities disjoint, or merge their weights');
        }
      });
    });
  },
});

export const failoverSameRegion = defineValidator<DestinationRule>({
  id: 'istio-dr/failover-same-region',
  severity: 'error',
  summary: 'failover[].from and failover[].to are different regions (Istio rejects equal ones)',
  source: 'istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      failovers(lls).forEach((f, i) => {
        if (str(f.from) === str(f.to)) report(at([...base, 'failover', i, 'to']), `failover from and to are both ${JSON.stringify(str(f.to))}; locality failover must name a different region (Istio rejects it)`, 'set to: to the region that should take over, e.g. cn-shanghai for from: cn-hangzhou');
      });
    });
  },
});

export const failoverRegionOnly = defineValidator<DestinationRule>({
  id: 'istio-dr/failover-region-only',
  severity: 'error',
  summary: "failover[].from and failover[].to name a region only, without '/' (Istio rejects zones here)",
  source: 'istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      for (const { text: v, tokens, side } of failoverEnds(lls, base)) {
        if (!isRegionOnly(v)) report(at(tokens), `failover ${side} ${JSON.stringify(v)} names more than a region; locality failover only takes regions (Istio rejects it)`, `write only the region, e.g. ${JSON.stringify(v.split('/')[0])}`);
      }
    });
  },
});

export const failoverWildcard = defineValidator<DestinationRule>({
  id: 'istio-dr/failover-wildcard',
  severity: 'error',
  summary: "failover[].from and failover[].to contain no '*' (Istio rejects wildcards here)",
  source: 'istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      for (const { text: v, tokens, side } of failoverEnds(lls, base)) {
        if (v.includes('*')) report(at(tokens), `failover ${side} ${JSON.stringify(v)} contains the '*' wildcard (Istio rejects it)`, 'name one region per failover entry');
      }
    });
  },
});

export const failoverPriorityTopologyLabel = defineValidator<DestinationRule>({
  id: 'istio-dr/failover-with-locality-priority',
  severity: 'error',
  summary: 'failover is not combined with a region/zone/subzone label in failoverPriority (Istio rejects it)',
  source: 'istio',
  check(obj, _ctx, report) {
    eachLocality(obj, (lls, base) => {
      if (failovers(lls).length === 0) return;
      (lls.failoverPriority ?? []).forEach((label, i) => {
        if (LOCALITY_PRIORITY_LABELS.includes(label)) {
          report(at([...base, 'failoverPriority', i]), `can not set failover together with topology label ${label} in failoverPriority (Istio rejects it)`, `remove ${label} from failoverPriority, or drop failover and express the order with failoverPriority only`);
        }
      });
    });
  },
});

export const localityAndZoneAware = defineValidator<DestinationRule>({
  id: 'istio-dr/locality-and-zone-aware',
  severity: 'error',
  summary: 'loadBalancer sets at most one of localityLbSetting and zoneAwareLbSetting (Istio rejects both)',
  source: 'istio',
  check(obj, _ctx, report) {
    for (const level of levels(obj)) {
      const lb = level.loadBalancer;
      if (lb?.localityLbSetting && lb.zoneAwareLbSetting) {
        report(at([...level.tokens, 'loadBalancer', 'zoneAwareLbSetting']), 'only one of localityLbSetting and zoneAwareLbSetting can be set (Istio rejects both)', 'remove one of the two');
      }
    }
  },
});

export const outlierDuration = defineValidator<DestinationRule>({
  id: 'istio-dr/outlier-duration',
  severity: 'error',
  summary: 'outlierDetection.interval and baseEjectionTime are durations of at least 1ms in whole milliseconds (Istio rejects others)',
  source: 'istio',
  check(obj, _ctx, report) {
    eachOutlier(obj, (od, base) => {
      for (const field of ['interval', 'baseEjectionTime'] as const) {
        const v = od[field];
        if (typeof v !== 'string') continue;
        const problem = durationProblem(v);
        if (problem) report(at([...base, field]), `${field} ${problem} (Istio rejects it)`, `write ${field} in whole milliseconds, e.g. ${field === 'interval' ? '1s' : '1m'}`);
      }
    });
  },
});

export const outlierPercentRange = defineValidator<DestinationRule>({
  id: 'istio-dr/outlier-percent-range',
  severity: 'error',
  summary: 'outlierDetection.maxEjectionPercent and minHealthPercent are in 0..100 (Istio rejects others)',
  source: 'istio',
  check(obj, _ctx, report) {
    eachOutlier(obj, (od, base) => {
      for (const field of ['maxEjectionPercent', 'minHealthPercent'] as const) {
        const v = od[field];
        if (typeof v === 'number' && (v < 0 || v > 100)) report(at([...base, field]), `${field} ${v} is not in range 0..100 (Istio rejects it)`, `set ${field} between 0 and 100`);
      }
    });
  },
});

export const localOriginWithoutSplit = defineValidator<DestinationRule>({
  id: 'istio-dr/local-origin-without-split',
  severity: 'error',
  summary: 'consecutiveLocalOriginFailures is only set together with splitExternalLocalOriginErrors: true (Istio rejects it otherwise)',
  source: 'istio',
  check(obj, _ctx, report) {
    eachOutlier(obj, (od, base) => {
      if (od.splitExternalLocalOriginErrors !== true && !isZeroOrAbsent(od.consecutiveLocalOriginFailures)) {
        report(at([...base, 'consecutiveLocalOriginFailures']), `consecutiveLocalOriginFailures ${od.consecutiveLocalOriginFailures} is set but splitExternalLocalOriginErrors is not true (Istio rejects it)`, `set ${where([...base, 'splitExternalLocalOriginErrors'])}: true, or remove consecutiveLocalOriginFailures`);
      }
    });
  },
});

export const deprecatedConsecutiveErrors = defineValidator<DestinationRule>({
  id: 'istio-dr/deprecated-consecutive-errors',
  severity: 'warning',
  summary: 'outlierDetection.consecutiveErrors is deprecated (Istio accepts it with a warning)',
  source: 'istio',
  check(obj, _ctx, report) {
    eachOutlier(obj, (od, base) => {
      if (!isZeroOrAbsent(od.consecutiveErrors)) {
        report(at([...base, 'consecutiveErrors']), `consecutiveErrors ${od.consecutiveErrors} is deprecated`, 'use consecutiveGatewayErrors or consecutive5xxErrors instead');
      }
    });
  },
});

// ---------------------------------------------------------------------------------------------
// With a MeshTopology: the regions and zones named exist, and failover targets have clusters.

const list = (items: Iterable<string>) => {
  const sorted = [...items].sort();
  return sorted.length === 0 ? '(none)' : sorted.join(', ');
};

/** The topology's zones of `region`: walks every zone, so only for a zone that is not in the topology or in another region. */
const zonesOf = (topo: TopologyView, region: string) => [...topo.zones()].filter((z) => topo.regionOfZone(z) === region);

function zoneProblem(topo: TopologyView, region: string, zone: string): string | undefined {
  if (!topo.zones().has(zone)) {
    const known = zonesOf(topo, region);
    if (known.length === 0) return undefined; // the topology states no zones of this region: nothing to compare with
    return `zone ${JSON.stringify(zone)} is not in the topology; known zones of ${region}: ${list(known)}`;
  }
  const zr = topo.regionOfZone(zone);
  if (zr !== undefined && zr !== region) return `zone ${JSON.stringify(zone)} belongs to region ${zr}, not ${region}; known zones of ${region}: ${list(zonesOf(topo, region))}`;
  return undefined;
}

export const localityNotInTopology = defineValidator<DestinationRule>({
  id: 'istio-dr/locality-not-in-topology',
  severity: 'error',
  summary: 'every failover region and every distribute locality (region, zone) exists in the MeshTopology; the message lists the known ones (zones are checked where the topology states zones of that region)',
  source: '003',
  needs: ['topology'],
  check(obj, ctx, report) {
    const topo = ctx.topology!;
    const regions = topo.regions();
    if (regions.size === 0) return; // a topology without regions (e.g. meshes only) says nothing about localities
    eachLocality(obj, (lls, base) => {
      for (const { text: v, tokens } of failoverEnds(lls, base)) {
        if (v === '' || !isRegionOnly(v) || v.includes('*')) continue; // Istio's own rules report these
        if (!regions.has(v)) report(at(tokens), `region ${JSON.stringify(v)} is not in the topology; known regions: ${list(regions)}`, 'use one of the known regions, or add the region (its VPCs and clusters) to the MeshTopology');
      }
      for (const l of localityStrings(lls, base)) {
        if (!isValidLocality(l.text)) continue;
        const region = regionOf(l.text);
        if (region === undefined) continue;
        if (!regions.has(region)) {
          report(at(l.tokens), `region ${JSON.stringify(region)} of locality ${JSON.stringify(l.text)} is not in the topology; known regions: ${list(regions)}`, 'use one of the known regions, or add it to the MeshTopology');
          continue;
        }
        const zone = zoneOf(l.text);
        const problem = zone === undefined ? undefined : zoneProblem(topo, region, zone);
        if (problem) report(at(l.tokens), `${problem} (locality ${JSON.stringify(l.text)})`, `use a zone of ${region}, or ${JSON.stringify(region + '/*')} for the whole region`);
      }
    });
  },
});

/** Clusters of the mesh this object belongs to, or of the whole topology when that cannot be told. */
function meshClusters(ctx: RuleContext): Array<{ id: string; region?: string }> {
  const topo = ctx.topology!;
  const mesh = topo.meshByNamespace(ctx.namespace) ?? (topo.meshes().length === 1 ? topo.meshes()[0] : undefined);
  if (!mesh) return [...topo.clusters()];
  return mesh.clusters.map((c) => topo.cluster(c) ?? { id: c });
}

export const failoverTargetWithoutCluster = defineValidator<DestinationRule>({
  id: 'istio-dr/failover-target-without-cluster',
  severity: 'warning',
  summary: 'a failover target region has at least one cluster of the mesh in the MeshTopology (otherwise there is nothing to fail over to)',
  source: '003',
  needs: ['topology'],
  check(obj, ctx, report) {
    const topo = ctx.topology!;
    const clusters = meshClusters(ctx);
    if (!clusters.some((c) => c.region)) return; // no cluster with a stated region: nothing to compare with
    eachLocality(obj, (lls, base) => {
      failovers(lls).forEach((f, i) => {
        const to = str(f.to);
        if (!topo.regions().has(to)) return; // unknown regions are locality-not-in-topology's
        if (!clusters.some((c) => c.region === to)) {
          const withClusters = new Set(clusters.map((c) => c.region).filter((r): r is string => !!r));
          report(at([...base, 'failover', i, 'to']), `no cluster of the mesh runs in ${to}, so failover to it finds no endpoints; regions with clusters: ${list(withClusters)}`, `add a cluster in ${to} to the mesh (and the MeshTopology), or fail over to a region that has one`);
        }
      });
    });
  },
});

export const destinationRuleKind = defineKind<DestinationRule>({
  group: NETWORKING_GROUP,
  kind: 'DestinationRule',
  versions: NETWORKING_VERSIONS,
  plural: 'destinationrules',
  scope: 'Namespaced',
  admission: true,
  schema: destinationRuleSchema,
  defaulters: [injectOutlierDetection],
  validators: [
    failoverNeedsOutlierDetection,
    distributeWithFailoverPriority,
    consecutive5xxZero,
    gatewayErrorsNotBelow5xx,
    duplicateFailoverFrom,
    failoverChain,
    localityLbDisabled,
    distributeWithFailover,
    distributeWeightRange,
    distributeWeightSum,
    localityWildcard,
    localityEmptySegment,
    localityPartialWildcard,
    localityOverlap,
    failoverSameRegion,
    failoverRegionOnly,
    failoverWildcard,
    failoverPriorityTopologyLabel,
    localityAndZoneAware,
    outlierDuration,
    outlierPercentRange,
    localOriginWithoutSplit,
    deprecatedConsecutiveErrors,
    localityNotInTopology,
    failoverTargetWithoutCluster,
  ],
});

