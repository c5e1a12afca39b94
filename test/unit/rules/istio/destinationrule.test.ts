import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { RuleContext } from '../../../../src/engine/context.ts';
import type { Severity } from '../../../../src/engine/types.ts';
import { buildTopology } from '../../../../src/topology/index.ts';
import { assertFindingAt, check, dr, findingsOf, LEVEL_PATH, LEVELS, lls, SEED_OD, seed003Topology, twice } from './helpers.ts';

const INJECT = 'istio-dr/inject-outlier-detection';
const NEEDS_OD = 'istio-dr/failover-needs-outlier-detection';

const both = [
  { from: 'cn-shanghai', to: 'cn-hangzhou' },
  { from: 'cn-hangzhou', to: 'cn-shanghai' },
];

interface Case {
  rule: string;
  severity: Severity;
  name: string;
  /** Traffic policy fragment placed at each level. */
  policy: Record<string, unknown>;
  /** Expected finding path below the level's policy. */
  sub: string;
  message: RegExp;
  fix: RegExp;
  defaults?: boolean;
  topology?: boolean;
}

interface Valid {
  rule: string;
  name: string;
  policy: Record<string, unknown>;
  defaults?: boolean;
  topology?: boolean;
}

const LLS = '/loadBalancer/localityLbSetting';

const invalid: Case[] = [
  {
    rule: NEEDS_OD,
    severity: 'error',
    name: 'failover without outlierDetection, mutation off',
    policy: lls({ failover: both }, null),
    sub: `${LLS}/failover`,
    message: /failover is set but no outlierDetection applies here/,
    fix: /add .*outlierDetection \(e\.g\. consecutive5xxErrors: 1, interval: 1s, baseEjectionTime: 1m\)/,
    defaults: false,
  },
  {
    rule: NEEDS_OD,
    severity: 'error',
    name: 'failoverPriority without outlierDetection, mutation off',
    policy: lls({ failoverPriority: ['topology.istio.io/network'] }, null),
    sub: `${LLS}/failoverPriority`,
    message: /failoverPriority is set but no outlierDetection/,
    fix: /outlierDetection/,
    defaults: false,
  },
  {
    rule: 'istio-dr/distribute-with-failover-priority',
    severity: 'error',
    name: 'distribute and failoverPriority',
    policy: lls({ distribute: [{ from: 'cn-hangzhou/*', to: { 'cn-hangzhou/*': 90, 'cn-shanghai/*': 10 } }], failoverPriority: ['topology.istio.io/network'] }),
    sub: `${LLS}/failoverPriority`,
    message: /failoverPriority \[topology\.istio\.io\/network\] is ignored because distribute is set/,
    fix: /remove failoverPriority/,
  },
  {
    rule: 'istio-dr/consecutive-5xx-zero-with-failover',
    severity: 'error',
    name: 'consecutive5xxErrors 0 and no gateway errors while failover is set',
    policy: lls({ failover: both }, { consecutive5xxErrors: 0, interval: '1s', baseEjectionTime: '1m' }),
    sub: '/outlierDetection/consecutive5xxErrors',
    message: /consecutive5xxErrors: 0 with no consecutiveGatewayErrors disables ejection/,
    fix: /consecutive5xxErrors to 1 or more/,
  },
  {
    rule: 'istio-dr/consecutive-5xx-zero-with-failover',
    severity: 'error',
    name: 'consecutive5xxErrors 0 and consecutiveGatewayErrors 0 while failoverPriority is set',
    policy: lls({ failoverPriority: ['topology.istio.io/network'] }, { consecutive5xxErrors: 0, consecutiveGatewayErrors: 0 }),
    sub: '/outlierDetection/consecutive5xxErrors',
    message: /disables ejection/,
    fix: /consecutiveGatewayErrors/,
  },
  {
    rule: 'istio-dr/gateway-errors-not-below-5xx',
    severity: 'warning',
    name: 'consecutiveGatewayErrors above consecutive5xxErrors',
    policy: { outlierDetection: { consecutive5xxErrors: 3, consecutiveGatewayErrors: 5 } },
    sub: '/outlierDetection/consecutiveGatewayErrors',
    message: /consecutiveGatewayErrors 5 >= consecutive5xxErrors 3/,
    fix: /below 3/,
  },
  {
    rule: 'istio-dr/gateway-errors-not-below-5xx',
    severity: 'warning',
    name: 'consecutiveGatewayErrors equal to consecutive5xxErrors',
    policy: { outlierDetection: { consecutive5xxErrors: 2, consecutiveGatewayErrors: 2 } },
    sub: '/outlierDetection/consecutiveGatewayErrors',
    message: /2 >= consecutive5xxErrors 2/,
    fix: /below 2/,
  },
  {
    rule: 'istio-dr/duplicate-failover-from',
    severity: 'error',
    name: 'the same failover from twice',
    policy: lls({ failover: [{ from: 'cn-hangzhou', to: 'cn-shanghai' }, { from: 'cn-hangzhou', to: 'cn-beijing' }] }),
    sub: `${LLS}/failover/1/from`,
    message: /"cn-hangzhou" is already given by failover\[0\] \(to "cn-shanghai"\)/,
    fix: /keep one failover entry for "cn-hangzhou"/,
  },
  {
    rule: 'istio-dr/failover-chain',
    severity: 'warning',
    name: 'a chain A→B, B→C',
    policy: lls({ failover: [{ from: 'cn-hangzhou', to: 'cn-shanghai' }, { from: 'cn-shanghai', to: 'cn-beijing' }] }),
    sub: `${LLS}/failover/0/to`,
    message: /not transitive: clients in cn-hangzhou fail over to cn-shanghai.*cn-shanghai → cn-beijing \(failover\[1\]\)/,
    fix: /failoverPriority/,
  },
  {
    rule: 'istio-dr/failover-chain',
    severity: 'warning',
    name: 'a cycle of three regions',
    policy: lls({ failover: [{ from: 'a', to: 'b' }, { from: 'b', to: 'c' }, { from: 'c', to: 'a' }] }),
    sub: `${LLS}/failover/2/to`,
    message: /clients in c fail over to a.*a → b \(failover\[0\]\)/,
    fix: /failoverPriority/,
  },
  {
    rule: 'istio-dr/locality-lb-disabled',
    severity: 'warning',
    name: 'enabled: false with failover',
    policy: lls({ enabled: false, failover: both }),
    sub: `${LLS}/enabled`,
    message: /enabled is false, so failover has no effect/,
    fix: /remove enabled: false/,
  },
  {
    rule: 'istio-dr/locality-lb-disabled',
    severity: 'warning',
    name: 'enabled: false with distribute',
    policy: lls({ enabled: false, distribute: [{ from: 'cn-hangzhou/*', to: { 'cn-hangzhou/*': 100 } }] }),
    sub: `${LLS}/enabled`,
    message: /so distribute has no effect/,
    fix: /remove enabled: false/,
  },
  {
    rule: 'istio-dr/distribute-with-failover',
    severity: 'error',
    name: 'distribute and failover together',
    policy: lls({ distribute: [{ from: 'a/b/c', to: { 'a/b/c': 80, 'a/b1': 20 } }], failover: [{ from: 'region1', to: 'region2' }] }),
    sub: `${LLS}/failover`,
    message: /can not simultaneously specify 'distribute' and 'failover'/,
    fix: /either distribute .* or failover/,
  },
  {
    rule: 'istio-dr/distribute-weight-range',
    severity: 'error',
    name: 'a weight of 0',
    policy: lls({ distribute: [{ from: 'a/b/c', to: { 'a/b/c': 0, 'a/b1': 100 } }] }),
    sub: `${LLS}/distribute/0/to/a~1b~1c`,
    message: /weight 0 for "a\/b\/c" is outside 1\.\.100/,
    fix: /whole-number weight from 1 to 100/,
  },
  {
    rule: 'istio-dr/distribute-weight-range',
    severity: 'error',
    name: 'a weight above 100',
    policy: lls({ distribute: [{ from: 'a', to: { b: 150 } }] }),
    sub: `${LLS}/distribute/0/to/b`,
    message: /weight 150/,
    fix: /1 to 100/,
  },
  {
    rule: 'istio-dr/distribute-weight-sum',
    severity: 'error',
    name: 'weights summing to 105',
    policy: lls({ distribute: [{ from: 'a/b/c', to: { 'a/b/c': 80, 'a/b1': 25 } }] }),
    sub: `${LLS}/distribute/0/to`,
    message: /weights for from "a\/b\/c" sum to 105, not 100/,
    fix: /add up to 100/,
  },
  {
    rule: 'istio-dr/distribute-weight-sum',
    severity: 'error',
    name: 'weights summing to 95',
    policy: lls({ distribute: [{ from: 'a/b/c', to: { 'a/b/c': 80, 'a/b1': 15 } }] }),
    sub: `${LLS}/distribute/0/to`,
    message: /sum to 95/,
    fix: /100/,
  },
  {
    rule: 'istio-dr/locality-wildcard',
    severity: 'error',
    name: "a '*' before the end of a from locality",
    policy: lls({ distribute: [{ from: '*/zone1', to: { region1: 100 } }] }),
    sub: `${LLS}/distribute/0/from`,
    message: /"\*\/zone1" has '\*' before the end/,
    fix: /only as the whole last segment/,
  },
  {
    rule: 'istio-dr/locality-wildcard',
    severity: 'error',
    name: "two '*' in a to locality",
    policy: lls({ distribute: [{ from: 'region1', to: { 'region1/*/*': 100 } }] }),
    sub: `${LLS}/distribute/0/to/region1~1*~1*`,
    message: /2 '\*' wildcards/,
    fix: /last segment/,
  },
  {
    rule: 'istio-dr/locality-empty-segment',
    severity: 'error',
    name: 'an empty zone segment',
    policy: lls({ distribute: [{ from: 'region1//*', to: { region1: 100 } }] }),
    sub: `${LLS}/distribute/0/from`,
    message: /"region1\/\/\*" has an empty region\/zone\/subzone segment/,
    fix: /stray "\/"/,
  },
  {
    rule: 'istio-dr/locality-empty-segment',
    severity: 'error',
    name: 'a missing from',
    policy: lls({ distribute: [{ to: { region1: 100 } }] }),
    sub: `${LLS}/distribute/0/from`,
    message: /locality "" has an empty/,
    fix: /fill in the segment/,
  },
  {
    rule: 'istio-dr/locality-partial-wildcard',
    severity: 'warning',
    name: 'zone* is compared literally',
    policy: lls({ distribute: [{ from: 'cn-hangzhou/cn-hangzhou-*', to: { 'cn-hangzhou/*': 100 } }] }),
    sub: `${LLS}/distribute/0/from`,
    message: /"cn-hangzhou\/cn-hangzhou-\*" is not a prefix wildcard/,
    fix: /"cn-hangzhou\/\*"/,
  },
  {
    rule: 'istio-dr/locality-overlap',
    severity: 'error',
    name: 'overlapping from localities (region then zone)',
    policy: lls({ distribute: [{ from: 'region1/*', to: { region1: 100 } }, { from: 'region1/zone1/*', to: { region1: 100 } }] }),
    sub: `${LLS}/distribute/1/from`,
    message: /from "region1\/zone1\/\*" overlaps distribute\[0\]\.from "region1\/\*"/,
    fix: /disjoint/,
  },
  {
    rule: 'istio-dr/locality-overlap',
    severity: 'error',
    name: 'overlapping from localities in the order Istio does not catch (zone then region wildcard)',
    policy: lls({ distribute: [{ from: 'region1/zone1', to: { region1: 100 } }, { from: 'region1/*', to: { region1: 100 } }] }),
    sub: `${LLS}/distribute/1/from`,
    message: /overlaps distribute\[0\]\.from "region1\/zone1"/,
    fix: /disjoint/,
  },
  {
    rule: 'istio-dr/locality-overlap',
    severity: 'error',
    name: 'overlapping to localities of one entry',
    policy: lls({ distribute: [{ from: 'region1', to: { 'region1/zone1/*': 70, 'region1/*': 30 } }] }),
    sub: `${LLS}/distribute/0/to/region1~1*`,
    message: /to "region1\/\*" overlaps "region1\/zone1\/\*" in the same entry/,
    fix: /merge their weights/,
  },
  {
    rule: 'istio-dr/failover-same-region',
    severity: 'error',
    name: 'failover from == to',
    policy: lls({ failover: [{ from: 'region1', to: 'region1' }] }),
    sub: `${LLS}/failover/0/to`,
    message: /from and to are both "region1"/,
    fix: /different region|region that should take over/,
  },
  {
    rule: 'istio-dr/failover-region-only',
    severity: 'error',
    name: "a '/' in failover from",
    policy: lls({ failover: [{ from: 'region1/zone1', to: 'region2' }] }),
    sub: `${LLS}/failover/0/from`,
    message: /failover from "region1\/zone1" names more than a region/,
    fix: /write only the region, e\.g\. "region1"/,
  },
  {
    rule: 'istio-dr/failover-region-only',
    severity: 'error',
    name: "a '/' in failover to",
    policy: lls({ failover: [{ from: 'region1', to: 'region2/zone1' }] }),
    sub: `${LLS}/failover/0/to`,
    message: /failover to "region2\/zone1"/,
    fix: /"region2"/,
  },
  {
    rule: 'istio-dr/failover-wildcard',
    severity: 'error',
    name: "a '*' in failover from",
    policy: lls({ failover: [{ from: '*', to: 'region2' }] }),
    sub: `${LLS}/failover/0/from`,
    message: /failover from "\*" contains the '\*' wildcard/,
    fix: /one region/,
  },
  {
    rule: 'istio-dr/failover-wildcard',
    severity: 'error',
    name: "a '*' in failover to",
    policy: lls({ failover: [{ from: 'region1', to: '*' }] }),
    sub: `${LLS}/failover/0/to`,
    message: /failover to "\*"/,
    fix: /one region/,
  },
  {
    rule: 'istio-dr/failover-with-locality-priority',
    severity: 'error',
    name: 'failover and the region label in failoverPriority',
    policy: lls({ failover: [{ from: 'region1', to: 'region2' }], failoverPriority: ['topology.istio.io/network', 'topology.kubernetes.io/region'] }),
    sub: `${LLS}/failoverPriority/1`,
    message: /can not set failover together with topology label topology\.kubernetes\.io\/region/,
    fix: /remove topology\.kubernetes\.io\/region/,
  },
  {
    rule: 'istio-dr/locality-and-zone-aware',
    severity: 'error',
    name: 'localityLbSetting and zoneAwareLbSetting',
    policy: { loadBalancer: { localityLbSetting: {}, zoneAwareLbSetting: {} } },
    sub: '/loadBalancer/zoneAwareLbSetting',
    message: /only one of localityLbSetting and zoneAwareLbSetting/,
    fix: /remove one/,
  },
  {
    rule: 'istio-dr/outlier-duration',
    severity: 'error',
    name: 'an interval finer than ms',
    policy: { outlierDetection: { interval: '2.000000005s' } },
    sub: '/outlierDetection/interval',
    message: /finer than milliseconds/,
    fix: /whole milliseconds, e\.g\. 1s/,
  },
  {
    rule: 'istio-dr/outlier-duration',
    severity: 'error',
    name: 'a baseEjectionTime finer than ms',
    policy: { outlierDetection: { baseEjectionTime: '2.000000005s' } },
    sub: '/outlierDetection/baseEjectionTime',
    message: /finer than milliseconds/,
    fix: /e\.g\. 1m/,
  },
  {
    rule: 'istio-dr/outlier-duration',
    severity: 'error',
    name: 'an interval that is no duration',
    policy: { outlierDetection: { interval: 'soon' } },
    sub: '/outlierDetection/interval',
    message: /"soon" is not a duration/,
    fix: /whole milliseconds/,
  },
  {
    rule: 'istio-dr/outlier-percent-range',
    severity: 'error',
    name: 'maxEjectionPercent 105',
    policy: { outlierDetection: { maxEjectionPercent: 105 } },
    sub: '/outlierDetection/maxEjectionPercent',
    message: /maxEjectionPercent 105 is not in range 0\.\.100/,
    fix: /between 0 and 100/,
  },
  {
    rule: 'istio-dr/outlier-percent-range',
    severity: 'error',
    name: 'minHealthPercent -1',
    policy: { outlierDetection: { minHealthPercent: -1 } },
    sub: '/outlierDetection/minHealthPercent',
    message: /minHealthPercent -1/,
    fix: /between 0 and 100/,
  },
  {
    rule: 'istio-dr/local-origin-without-split',
    severity: 'error',
    name: 'consecutiveLocalOriginFailures without split',
    policy: { outlierDetection: { consecutiveLocalOriginFailures: 10 } },
    sub: '/outlierDetection/consecutiveLocalOriginFailures',
    message: /consecutiveLocalOriginFailures 10 is set but splitExternalLocalOriginErrors is not true/,
    fix: /splitExternalLocalOriginErrors: true/,
  },
  {
    rule: 'istio-dr/deprecated-consecutive-errors',
    severity: 'warning',
    name: 'consecutiveErrors',
    policy: { outlierDetection: { consecutiveErrors: 101 } },
    sub: '/outlierDetection/consecutiveErrors',
    message: /consecutiveErrors 101 is deprecated/,
    fix: /consecutiveGatewayErrors or consecutive5xxErrors/,
  },
  {
    rule: 'istio-dr/locality-not-in-topology',
    severity: 'error',
    name: 'a failover region missing from the topology',
    policy: lls({ failover: [{ from: 'cn-hangzhou', to: 'cn-shangai' }] }),
    sub: `${LLS}/failover/0/to`,
    message: /region "cn-shangai" is not in the topology; known regions: cn-beijing, cn-hangzhou, cn-shanghai/,
    fix: /add the region/,
    topology: true,
  },
  {
    rule: 'istio-dr/locality-not-in-topology',
    severity: 'error',
    name: 'a distribute zone missing from the topology',
    policy: lls({ distribute: [{ from: 'cn-hangzhou/cn-hangzhou-z/*', to: { 'cn-hangzhou/*': 90, 'cn-shanghai/*': 10 } }] }),
    sub: `${LLS}/distribute/0/from`,
    message: /zone "cn-hangzhou-z" is not in the topology; known zones of cn-hangzhou: cn-hangzhou-j/,
    fix: /"cn-hangzhou\/\*"/,
    topology: true,
  },
  {
    rule: 'istio-dr/locality-not-in-topology',
    severity: 'error',
    name: 'a distribute zone of another region',
    policy: lls({ distribute: [{ from: 'cn-hangzhou/*', to: { 'cn-hangzhou/cn-shanghai-e': 90, 'cn-shanghai/*': 10 } }] }),
    sub: `${LLS}/distribute/0/to/cn-hangzhou~1cn-shanghai-e`,
    message: /zone "cn-shanghai-e" belongs to region cn-shanghai, not cn-hangzhou/,
    fix: /use a zone of cn-hangzhou/,
    topology: true,
  },
  {
    rule: 'istio-dr/locality-not-in-topology',
    severity: 'error',
    name: 'a distribute region missing from the topology',
    policy: lls({ distribute: [{ from: 'cn-hangzhou/*', to: { 'cn-hangzhou/*': 90, 'us-east-1/*': 10 } }] }),
    sub: `${LLS}/distribute/0/to/us-east-1~1*`,
    message: /region "us-east-1" of locality "us-east-1\/\*" is not in the topology/,
    fix: /known regions/,
    topology: true,
  },
  {
    rule: 'istio-dr/failover-target-without-cluster',
    severity: 'warning',
    name: 'a failover target region with a VPC but no cluster',
    policy: lls({ failover: [{ from: 'cn-hangzhou', to: 'cn-beijing' }] }),
    sub: `${LLS}/failover/0/to`,
    message: /no cluster of the mesh runs in cn-beijing.*regions with clusters: cn-hangzhou, cn-shanghai/,
    fix: /add a cluster in cn-beijing/,
    topology: true,
  },
];

const valid: Valid[] = [
  { rule: NEEDS_OD, name: 'seed 003: failover both ways with outlier detection, mutation off', policy: lls({ enabled: true, failover: both }), defaults: false },
  { rule: NEEDS_OD, name: 'failover with enabled: false is inert (another rule says so)', policy: lls({ enabled: false, failover: both }, null), defaults: false },
  { rule: NEEDS_OD, name: 'distribute needs no outlier detection', policy: lls({ distribute: [{ from: 'a', to: { a: 100 } }] }, null), defaults: false },
  { rule: 'istio-dr/distribute-with-failover-priority', name: 'failoverPriority alone', policy: lls({ failoverPriority: ['topology.istio.io/network'] }) },
  { rule: 'istio-dr/consecutive-5xx-zero-with-failover', name: '5xx 0 with gateway errors', policy: lls({ failover: both }, { consecutive5xxErrors: 0, consecutiveGatewayErrors: 3 }) },
  { rule: 'istio-dr/consecutive-5xx-zero-with-failover', name: '5xx 0 without failover', policy: { outlierDetection: { consecutive5xxErrors: 0 } } },
  { rule: 'istio-dr/consecutive-5xx-zero-with-failover', name: 'seed 003 values', policy: lls({ failover: both }) },
  { rule: 'istio-dr/gateway-errors-not-below-5xx', name: 'gateway errors below 5xx', policy: { outlierDetection: { consecutive5xxErrors: 5, consecutiveGatewayErrors: 2 } } },
  { rule: 'istio-dr/gateway-errors-not-below-5xx', name: '5xx ejection off: gateway errors alone', policy: { outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 2 } } },
  { rule: 'istio-dr/duplicate-failover-from', name: 'seed 003 both ways', policy: lls({ failover: both }) },
  { rule: 'istio-dr/failover-chain', name: 'seed 003 mutual pair is no chain', policy: lls({ failover: both }) },
  { rule: 'istio-dr/failover-chain', name: 'two independent pairs', policy: lls({ failover: [{ from: 'us-east', to: 'eu-west' }, { from: 'us-west', to: 'eu-east' }] }) },
  { rule: 'istio-dr/locality-lb-disabled', name: 'enabled: false alone', policy: lls({ enabled: false }) },
  { rule: 'istio-dr/distribute-weight-range', name: 'istio.io 70/20/10', policy: lls({ distribute: [{ from: 'region1/zone1/*', to: { 'region1/zone1/*': 70, 'region1/zone2/*': 20, 'region3/zone4/*': 10 } }] }) },
  { rule: 'istio-dr/distribute-weight-sum', name: 'seed 003 90/10', policy: lls({ distribute: [{ from: 'cn-hangzhou/*', to: { 'cn-hangzhou/*': 90, 'cn-shanghai/*': 10 } }] }) },
  { rule: 'istio-dr/locality-wildcard', name: 'wildcards at the end', policy: lls({ distribute: [{ from: '*', to: { 'region1/*': 50, 'region2/zone1/*': 50 } }] }) },
  { rule: 'istio-dr/locality-empty-segment', name: 'full localities', policy: lls({ distribute: [{ from: 'a/b/c', to: { 'a/b/c': 100 } }] }) },
  { rule: 'istio-dr/locality-partial-wildcard', name: 'whole-segment wildcards', policy: lls({ distribute: [{ from: 'region1/*', to: { 'region1/zone1/*': 100 } }] }) },
  { rule: 'istio-dr/locality-overlap', name: 'disjoint from and to', policy: lls({ distribute: [{ from: 'region1/*', to: { 'region1/zone1/*': 50, 'region1/zone2/*': 50 } }, { from: 'region2/*', to: { 'region2/*': 100 } }] }) },
  { rule: 'istio-dr/failover-same-region', name: 'different regions', policy: lls({ failover: both }) },
  { rule: 'istio-dr/failover-region-only', name: 'regions only', policy: lls({ failover: both }) },
  { rule: 'istio-dr/failover-wildcard', name: 'no wildcard', policy: lls({ failover: both }) },
  { rule: 'istio-dr/failover-with-locality-priority', name: 'failover with the network label only', policy: lls({ failover: both, failoverPriority: ['topology.istio.io/network'] }) },
  { rule: 'istio-dr/locality-and-zone-aware', name: 'zoneAwareLbSetting alone', policy: { loadBalancer: { zoneAwareLbSetting: { enabled: true } }, outlierDetection: SEED_OD } },
  { rule: 'istio-dr/outlier-duration', name: 'ms durations (8ms, 1m, 1h30m, 0.5s)', policy: { outlierDetection: { interval: '8ms', baseEjectionTime: '1h30m' } } },
  { rule: 'istio-dr/outlier-duration', name: 'fractional seconds in whole ms', policy: { outlierDetection: { interval: '0.5s', baseEjectionTime: '2.5m' } } },
  { rule: 'istio-dr/outlier-percent-range', name: '0 and 100', policy: { outlierDetection: { maxEjectionPercent: 100, minHealthPercent: 0 } } },
  { rule: 'istio-dr/local-origin-without-split', name: 'with split', policy: { outlierDetection: { consecutiveLocalOriginFailures: 10, splitExternalLocalOriginErrors: true } } },
  { rule: 'istio-dr/deprecated-consecutive-errors', name: 'consecutive5xxErrors', policy: { outlierDetection: { consecutive5xxErrors: 7 } } },
  { rule: 'istio-dr/locality-not-in-topology', name: 'seed 003 failover', policy: lls({ failover: both }), topology: true },
  { rule: 'istio-dr/locality-not-in-topology', name: 'seed 003 distribute with a known zone', policy: lls({ distribute: [{ from: 'cn-hangzhou/cn-hangzhou-j/*', to: { 'cn-hangzhou/*': 90, 'cn-shanghai/cn-shanghai-e': 10 } }] }), topology: true },
  { rule: 'istio-dr/failover-target-without-cluster', name: 'seed 003 failover', policy: lls({ failover: both }), topology: true },
];

function ctxFor(c: { topology?: boolean }): Partial<RuleContext> {
  return c.topology ? { topology: seed003Topology() } : {};
}

describe('DestinationRule rules, every case at every policy level', () => {
  for (const c of invalid) {
    for (const level of LEVELS) {
      test(`${c.rule}: ${c.name} (${level})`, () => {
        const found = findingsOf(dr(c.policy, level), c.rule, ctxFor(c), c.defaults ?? true);
        const f = assertFindingAt(found, c.rule, LEVEL_PATH[level] + c.sub, c);
        assert.ok(!f.message.includes('\n') && !(f.fix ?? '').includes('\n'), 'one line');
      });
    }
  }
  for (const v of valid) {
    for (const level of LEVELS) {
      test(`${v.rule}: no finding for ${v.name} (${level})`, () => {
        assert.deepEqual(findingsOf(dr(v.policy, level), v.rule, ctxFor(v), v.defaults ?? true), []);
      });
    }
  }
  test('every DestinationRule rule has an invalid case', () => {
    const ids = check(dr({})).kind!.validators.map((r) => r.id);
    const covered = new Set(invalid.map((c) => c.rule));
    assert.deepEqual(ids.filter((id) => !covered.has(id)), []);
  });
});

describe('outlierDetection injection (seed 003)', () => {
  const expected = { consecutive5xxErrors: 1, interval: '1s', baseEjectionTime: '1m' };
  for (const level of LEVELS) {
    test(`failover without outlierDetection gets seed 003's values injected at the same level (${level})`, () => {
      const obj = dr(lls({ failover: both }, null), level);
      const { first, stored, second } = twice(obj);
      assert.deepEqual(first.patch, [{ op: 'add', path: `${LEVEL_PATH[level]}/outlierDetection`, value: expected }]);
      const warn = first.findings.filter((f) => f.rule === INJECT);
      assert.equal(warn.length, 1);
      assert.equal(warn[0]!.severity, 'warning');
      assert.equal(warn[0]!.path, `${LEVEL_PATH[level]}/outlierDetection`);
      assert.match(warn[0]!.message, /^set .*outlierDetection=\{"consecutive5xxErrors":1,"interval":"1s","baseEjectionTime":"1m"\}: failover never fires without outlier detection/);
      assert.deepEqual(first.findings.filter((f) => f.severity === 'error'), [], 'validation runs on the stored object, which now has outlierDetection');
      assert.deepEqual(second.patch, [], 'a second pass changes nothing');
      assert.deepEqual(findingsOf(stored, NEEDS_OD, {}, false), [], 'the stored object passes even with mutation off');
    });
    test(`failoverPriority without outlierDetection is injected too (${level})`, () => {
      const { first, second } = twice(dr(lls({ failoverPriority: ['topology.istio.io/network'] }, null), level));
      assert.deepEqual(first.patch.map((p) => p.path), [`${LEVEL_PATH[level]}/outlierDetection`]);
      assert.deepEqual(second.patch, []);
    });
    test(`nothing is injected where outlierDetection exists or locality LB is disabled (${level})`, () => {
      assert.deepEqual(check(dr(lls({ failover: both }, { consecutive5xxErrors: 3 }), level)).patch, []);
      assert.deepEqual(check(dr(lls({ enabled: false, failover: both }, null), level)).patch, []);
      assert.deepEqual(check(dr(lls({ distribute: [{ from: 'a', to: { a: 100 } }] }, null), level)).patch, []);
    });
  }

  test('a subset inherits the destination-level outlierDetection: no injection, no error', () => {
    const obj = dr(lls({ failover: both }, null), 'subset', { top: { outlierDetection: { consecutive5xxErrors: 3, interval: '5s' } } });
    assert.deepEqual(check(obj).patch, []);
    assert.deepEqual(findingsOf(obj, NEEDS_OD, {}, false), []);
  });

  test('failover at the destination level and in a subset: the destination-level injection covers the subset', () => {
    const obj = dr(lls({ failover: both }, null), 'subset', { top: lls({ failover: both }, null) });
    const { first, second } = twice(obj);
    assert.deepEqual(first.patch.map((p) => p.path), ['/spec/trafficPolicy/outlierDetection']);
    assert.deepEqual(first.findings.filter((f) => f.severity === 'error'), []);
    assert.deepEqual(second.patch, []);
  });

  test('a port-level entry inherits nothing: failover there needs its own outlierDetection even when the destination has one', () => {
    const obj = dr(lls({ failover: both }, null), 'top-port', { top: { outlierDetection: { consecutive5xxErrors: 3 } } });
    assert.deepEqual(check(obj).patch.map((p) => p.path), ['/spec/trafficPolicy/portLevelSettings/0/outlierDetection']);
    const f = findingsOf(obj, NEEDS_OD, {}, false);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.path, '/spec/trafficPolicy/portLevelSettings/0/loadBalancer/localityLbSetting/failover');
  });

  test('a subset on a port whose destination-level port entry has no outlierDetection: the destination one is copied, not the seed one', () => {
    const obj = dr(lls({ failover: both }, null), 'subset', {
      top: { outlierDetection: { consecutive5xxErrors: 3, interval: '5s' }, portLevelSettings: [{ port: { number: 9080 }, connectionPool: { tcp: { maxConnections: 10 } } }] },
    });
    const f = findingsOf(obj, NEEDS_OD, {}, false);
    assert.equal(f.length, 1);
    assert.match(f[0]!.message, /on port\(s\) 9080 this subset inherits a spec\.trafficPolicy\.portLevelSettings entry without outlierDetection/);
    const { first, second } = twice(obj);
    assert.deepEqual(first.patch, [{ op: 'add', path: '/spec/subsets/0/trafficPolicy/outlierDetection', value: { consecutive5xxErrors: 3, interval: '5s' } }]);
    assert.match(first.findings.find((x) => x.rule === INJECT)!.message, /copied from spec\.trafficPolicy for port\(s\) 9080/);
    assert.deepEqual(second.patch, []);
  });

  test('user fields and unknown fields survive the injection', () => {
    const obj = dr({ ...lls({ failover: both }, null), connectionPool: { http: { maxRequestsPerConnection: 1 } }, futureField: { x: 1 } });
    (obj.spec as Record<string, unknown>).unknownSpec = [1, { a: 2 }];
    const { stored } = twice(obj);
    const tp = (stored.spec as Record<string, Record<string, unknown>>).trafficPolicy!;
    assert.deepEqual(tp.connectionPool, { http: { maxRequestsPerConnection: 1 } });
    assert.deepEqual(tp.futureField, { x: 1 });
    assert.deepEqual((stored.spec as Record<string, unknown>).unknownSpec, [1, { a: 2 }]);
  });
});

describe('inherited failover and ejection-off', () => {
  test('a subset that sets consecutive5xxErrors: 0 while inheriting the destination failover is reported at the subset', () => {
    const obj = dr({ outlierDetection: { consecutive5xxErrors: 0 } }, 'subset', { top: lls({ failover: both }) });
    const f = findingsOf(obj, 'istio-dr/consecutive-5xx-zero-with-failover');
    assert.deepEqual(f.map((x) => x.path), ['/spec/subsets/0/trafficPolicy/outlierDetection/consecutive5xxErrors']);
  });
  test('a subset that sets failover while inheriting consecutive5xxErrors: 0 is reported at its failover', () => {
    const obj = dr(lls({ failover: both }, null), 'subset', { top: { outlierDetection: { consecutive5xxErrors: 0 } } });
    const f = findingsOf(obj, 'istio-dr/consecutive-5xx-zero-with-failover');
    assert.deepEqual(f.map((x) => x.path), ['/spec/subsets/0/trafficPolicy/loadBalancer/localityLbSetting/failover']);
    assert.match(f[0]!.message, /inherited spec\.trafficPolicy\.outlierDetection has consecutive5xxErrors: 0/);
  });
  test('the deprecated consecutiveErrors still ejects, so ejection is not off', () => {
    assert.deepEqual(findingsOf(dr(lls({ failover: both }, { consecutive5xxErrors: 0, consecutiveErrors: 5 })), 'istio-dr/consecutive-5xx-zero-with-failover'), []);
  });
});

describe('versions', () => {
  for (const apiVersion of ['networking.istio.io/v1', 'networking.istio.io/v1beta1', 'networking.istio.io/v1alpha3']) {
    test(`${apiVersion} is served`, () => {
      const obj = { ...dr(lls({ failover: [{ from: 'a', to: 'a' }] })), apiVersion };
      assert.equal(findingsOf(obj, 'istio-dr/failover-same-region').length, 1);
    });
  }
  test('an empty failover key (null in YAML) is no schema error', () => {
    const r = check(dr({ loadBalancer: { localityLbSetting: { failover: null } } }));
    assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), []);
  });
});

describe('topology rules never guess', () => {
  const meshesOnly = () =>
    buildTopology([{ apiVersion: 'meshguard.io/v1alpha1', kind: 'MeshTopology', metadata: { name: 'm' }, spec: { meshes: [{ name: 'red-mesh', namespace: 'red-mesh-system' }] } }]).view;
  const regionsWithoutZones = () =>
    buildTopology([{ apiVersion: 'meshguard.io/v1alpha1', kind: 'MeshTopology', metadata: { name: 'r' }, spec: { clusters: [{ id: 'c1', region: 'cn-hangzhou' }, { id: 'c2', region: 'cn-shanghai' }] } }]).view;
  test('a topology without regions (meshes only) says nothing about localities', () => {
    const obj = dr(lls({ failover: [{ from: 'us-east', to: 'eu-west' }] }));
    assert.deepEqual(findingsOf(obj, 'istio-dr/locality-not-in-topology', { topology: meshesOnly() }), []);
    assert.deepEqual(findingsOf(obj, 'istio-dr/failover-target-without-cluster', { topology: meshesOnly() }), []);
  });
  test('zones are only checked for regions whose zones the topology states', () => {
    const obj = dr(lls({ distribute: [{ from: 'cn-hangzhou/cn-hangzhou-k/*', to: { 'cn-hangzhou/*': 90, 'cn-shanghai/*': 10 } }] }));
    assert.deepEqual(findingsOf(obj, 'istio-dr/locality-not-in-topology', { topology: regionsWithoutZones() }), []);
    const unknownRegion = dr(lls({ distribute: [{ from: 'cn-beijing/*', to: { 'cn-hangzhou/*': 100 } }] }));
    assert.equal(findingsOf(unknownRegion, 'istio-dr/locality-not-in-topology', { topology: regionsWithoutZones() }).length, 1, 'regions still are');
  });
  test('without a topology the topology rules are skipped with an info finding', () => {
    const f = check(dr(lls({ failover: both }))).findings.filter((x) => x.rule === 'istio-dr/locality-not-in-topology');
    assert.equal(f.length, 1);
    assert.equal(f[0]!.severity, 'info');
    assert.match(f[0]!.message, /skipped: needs a MeshTopology/);
  });
});
