import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  hasEmptySegment,
  isPartialWildcard,
  isRegionOnly,
  isValidLocality,
  localitiesOverlap,
  localityMatches,
  overlappingPairs,
  parseLocality,
  regionOf,
  splitLocality,
  wildcardProblem,
  zoneOf,
  type ConcreteLocality,
} from '../../../src/net/locality.ts';

test('splits like Istio: at most three segments, the subzone keeps further slashes', () => {
  assert.deepEqual(splitLocality('cn-hangzhou'), ['cn-hangzhou']);
  assert.deepEqual(splitLocality('cn-hangzhou/cn-hangzhou-j'), ['cn-hangzhou', 'cn-hangzhou-j']);
  assert.deepEqual(splitLocality('a/b/c'), ['a', 'b', 'c']);
  assert.deepEqual(splitLocality('a/b/c/d'), ['a', 'b', 'c/d']);
  assert.deepEqual(splitLocality(''), ['']);
  assert.deepEqual(parseLocality('us-east/zone1/*'), { text: 'us-east/zone1/*', region: 'us-east', zone: 'zone1', subzone: '*' });
  assert.deepEqual(parseLocality('us-east'), { text: 'us-east', region: 'us-east' });
});

// Istio's verdicts on locality syntax (wildcards, empty segments); `valid` as Istio's validation says.
const syntax: Array<[text: string, valid: boolean, why?: 'wildcard' | 'empty']> = [
  ['region1', true],
  ['region1/zone1', true],
  ['region1/zone1/subzone1', true],
  ['*', true],
  ['region1/*', true],
  ['region1/zone1/*', true],
  ['region1/zone*', true], // accepted by Istio, but a literal (see isPartialWildcard)
  ['*/zone1', false, 'wildcard'],
  ['region1/*/subzone1', false, 'wildcard'],
  ['region1/*/*', false, 'wildcard'],
  ['*region', false, 'wildcard'],
  ['', false, 'empty'],
  ['region1//subzone1', false, 'empty'],
  ['region1/', false, 'empty'],
  ['/zone1', false, 'empty'],
  ['region1/zone1/', false, 'empty'],
];
for (const [text, valid, why] of syntax) {
  test(`locality ${JSON.stringify(text)} is ${valid ? 'valid' : `invalid (${why})`}`, () => {
    assert.equal(isValidLocality(text), valid);
    assert.equal(wildcardProblem(text) !== undefined, why === 'wildcard');
    assert.equal(hasEmptySegment(text), why === 'empty');
  });
}

test('wildcard problems name the count or the position', () => {
  assert.match(wildcardProblem('region1/*/*') ?? '', /2 '\*' wildcards/);
  assert.match(wildcardProblem('*/zone1') ?? '', /before the end/);
});

test('a partial wildcard is one Istio accepts but compares literally', () => {
  assert.equal(isPartialWildcard('region1/zone*'), true);
  assert.equal(isPartialWildcard('region*'), true);
  assert.equal(isPartialWildcard('region1/*'), false);
  assert.equal(isPartialWildcard('*'), false);
  assert.equal(isPartialWildcard('*/zone*'), false, 'invalid anyway: two wildcards');
  assert.equal(localityMatches('region1/zone*', { region: 'region1', zone: 'zone1' }), false);
  assert.equal(localityMatches('region1/zone*', { region: 'region1', zone: 'zone*' }), true);
});

test('region-only, region and zone of a locality', () => {
  assert.equal(isRegionOnly('cn-hangzhou'), true);
  assert.equal(isRegionOnly('cn-hangzhou/cn-hangzhou-j'), false);
  assert.equal(regionOf('cn-hangzhou/*'), 'cn-hangzhou');
  assert.equal(regionOf('*'), undefined);
  assert.equal(zoneOf('cn-hangzhou/cn-hangzhou-j/*'), 'cn-hangzhou-j');
  assert.equal(zoneOf('cn-hangzhou/*'), undefined);
  assert.equal(zoneOf('cn-hangzhou'), undefined);
});

test('matching: a wildcard or an absent segment matches anything, others must be equal', () => {
  const proxy = { region: 'cn-hangzhou', zone: 'cn-hangzhou-j', subzone: 'rack1' };
  for (const rule of ['*', 'cn-hangzhou', 'cn-hangzhou/*', 'cn-hangzhou/cn-hangzhou-j', 'cn-hangzhou/cn-hangzhou-j/*', 'cn-hangzhou/cn-hangzhou-j/rack1']) {
    assert.equal(localityMatches(rule, proxy), true, rule);
  }
  for (const rule of ['cn-shanghai', 'cn-hangzhou/cn-hangzhou-k', 'cn-hangzhou/cn-hangzhou-j/rack2', 'cn-shanghai/*']) {
    assert.equal(localityMatches(rule, proxy), false, rule);
  }
});

test('overlap examples, including the ones Istio only catches in one order', () => {
  const yes: Array<[string, string]> = [
    ['region1', 'region1/zone1'],
    ['region1/zone1', 'region1'],
    ['region1/*', 'region1/zone1/*'],
    ['region1/zone1', 'region1/*'],
    ['*', 'region2/zone9'],
    ['region2', '*'],
    ['region1/zone1/sub1', 'region1/zone1/*'],
    ['region1/zone1', 'region1/zone1'],
  ];
  const no: Array<[string, string]> = [
    ['region1', 'region2'],
    ['region1/zone1', 'region1/zone2'],
    ['region1/zone1/sub1', 'region1/zone1/sub2'],
    ['region1/*', 'region2/*'],
  ];
  for (const [a, b] of yes) assert.equal(localitiesOverlap(a, b), true, `${a} ~ ${b}`);
  for (const [a, b] of no) assert.equal(localitiesOverlap(a, b), false, `${a} !~ ${b}`);
  assert.deepEqual(overlappingPairs(['region1/zone1/*', 'region1/zone2/*', 'region3/zone4/*']), []);
  assert.deepEqual(overlappingPairs(['region1/zone1', 'region2', 'region1/*', 'bad//x']), [[0, 2]]);
});

// ---- properties against a brute-force reference over a small universe of concrete localities ----

const REGIONS = ['r1', 'r2'];
const ZONES = ['z1', 'z2'];
const SUBZONES = ['s1', 's2'];
const UNIVERSE: ConcreteLocality[] = REGIONS.flatMap((region) => ZONES.flatMap((zone) => SUBZONES.map((subzone) => ({ region, zone, subzone }))));

/** Reference matcher written from the documented semantics, independent of the module: '*' or an absent segment is "any". */
function refMatch(rule: string, l: ConcreteLocality): boolean {
  const parts = rule.split('/');
  const want = [l.region, l.zone, l.subzone];
  return parts.every((p, i) => p === '*' || p === want[i]);
}

const ruleLocality = fc.oneof(
  fc.constant('*'),
  fc.constantFrom(...REGIONS),
  fc.tuple(fc.constantFrom(...REGIONS), fc.constantFrom('*', ...ZONES)).map(([r, z]) => `${r}/${z}`),
  fc.tuple(fc.constantFrom(...REGIONS), fc.constantFrom(...ZONES), fc.constantFrom('*', ...SUBZONES)).map(([r, z, s]) => `${r}/${z}/${s}`),
);

test('property: two valid localities overlap exactly when some concrete locality matches both', () => {
  fc.assert(
    fc.property(ruleLocality, ruleLocality, (a, b) => {
      assert.ok(isValidLocality(a) && isValidLocality(b));
      const reference = UNIVERSE.some((l) => refMatch(a, l) && refMatch(b, l));
      assert.equal(localitiesOverlap(a, b), reference);
      assert.equal(localitiesOverlap(b, a), reference, 'symmetric');
    }),
  );
});

test('property: overlappingPairs lists exactly the overlapping pairs', () => {
  fc.assert(
    fc.property(fc.array(ruleLocality, { maxLength: 6 }), (list) => {
      const expected: Array<[number, number]> = [];
      for (let i = 0; i < list.length; i++) for (let j = i + 1; j < list.length; j++) if (localitiesOverlap(list[i]!, list[j]!)) expected.push([i, j]);
      assert.deepEqual(overlappingPairs(list), expected);
    }),
  );
});

test('property: localityMatches agrees with the reference matcher', () => {
  fc.assert(fc.property(ruleLocality, fc.constantFrom(...UNIVERSE), (rule, l) => assert.equal(localityMatches(rule, l), refMatch(rule, l))));
});

test('property: a locality written without wildcards matches exactly the concrete localities it names', () => {
  fc.assert(
    fc.property(fc.constantFrom(...UNIVERSE), fc.constantFrom(...UNIVERSE), (a, b) => {
      const text = `${a.region}/${a.zone}/${a.subzone}`;
      assert.equal(localityMatches(text, b), a.region === b.region && a.zone === b.zone && a.subzone === b.subzone);
    }),
  );
});
