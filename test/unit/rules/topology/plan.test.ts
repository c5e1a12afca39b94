import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { overlaps, tryCidr, type Cidr } from '../../../../src/net/cidr.ts';
import { isConflict, RangeIndex, suggestFree, type RangeEntry } from '../../../../src/rules/topology/plan.ts';

const c = (t: string): Cidr => tryCidr(t)!;
const entry = (text: string, role: RangeEntry['role'], extra: Partial<RangeEntry> = {}): RangeEntry => ({
  cidr: c(text),
  role,
  owner: `${role}-${text}`,
  label: `${role} ${text}`,
  object: 'o',
  path: '',
  ...extra,
});

const cidrArb = fc.oneof(
  fc.tuple(fc.constantFrom(10, 172, 192), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 32 })).map(([a, b, x, p]) => c(`${a}.${b}.${x}.0/${p}`).canonical),
  fc.tuple(fc.constantFrom('fd00', '2408'), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 128 })).map(([g, h, p]) => c(`${g}:${h}::/${p}`).canonical),
);

test('property: RangeIndex.overlapping finds exactly the overlapping blocks (ancestors and descendants)', () => {
  fc.assert(
    fc.property(fc.array(cidrArb, { maxLength: 60 }), cidrArb, (texts, queryText) => {
      const entries = texts.map((t, i) => entry(t, 'vswitch', { owner: String(i) }));
      const q = c(queryText);
      const got = new RangeIndex(entries).overlapping(q).map((e) => e.owner);
      const want = entries.filter((e) => overlaps(e.cidr, q)).map((e) => e.owner);
      assert.equal(new Set(got).size, got.length, 'no entry twice');
      assert.deepEqual([...got].sort(), [...want].sort());
    }),
    { numRuns: 1000 },
  );
});

test('isConflict: containment in a VPC is not an overlap; a Terway pod range equal to its own pod vSwitch is that vSwitch', () => {
  const vpc = entry('20.0.0.0/8', 'vpc', { owner: 'vpc-a' });
  const vsw = entry('20.0.0.0/16', 'vswitch', { vpc: 'vpc-a' });
  assert.equal(isConflict(vpc, vsw), false);
  assert.equal(isConflict(vsw, entry('20.0.0.0/17', 'vswitch', { vpc: 'vpc-b' })), true);
  assert.equal(isConflict(vpc, entry('20.0.0.0/8', 'vpc', { owner: 'vpc-b' })), true);
  const flannelPod = entry('20.1.0.0/16', 'pod', { vpc: 'vpc-a' });
  assert.equal(isConflict(vpc, flannelPod), true);
  const terwayPod = entry('20.0.0.0/16', 'pod', { vpc: 'vpc-a', terway: true });
  assert.equal(isConflict(vpc, terwayPod), false);
  assert.equal(isConflict(vsw, terwayPod), false);
  assert.equal(isConflict(entry('20.0.0.0/16', 'vswitch', { vpc: 'vpc-b' }), terwayPod), true, 'a vSwitch of another VPC');
  assert.equal(isConflict(entry('20.0.0.0/17', 'vswitch', { vpc: 'vpc-a' }), terwayPod), true, 'not the same block');
  assert.equal(isConflict(entry('20.0.0.0/16', 'service', { vpc: 'vpc-a' }), terwayPod), true);
});

test('suggestFree: the first free aligned block, in private space or in the given pools', () => {
  assert.equal(suggestFree(4, 16, [c('10.0.0.0/16'), c('10.1.0.0/16')]), '10.2.0.0/16');
  assert.equal(suggestFree(4, 12, [c('10.0.0.0/16')]), '10.16.0.0/12');
  assert.equal(suggestFree(4, 8, [c('10.0.0.0/8')]), undefined, '172.16/12 and 192.168/16 cannot hold a /8');
  assert.equal(suggestFree(4, 17, [c('20.0.0.0/16')], [c('20.0.0.0/8')]), '20.1.0.0/17');
  assert.equal(suggestFree(4, 24, [c('192.168.0.0/16')], [c('192.168.0.0/16')]), undefined);
  assert.equal(suggestFree(6, 64, [c('fd00::/64')]), 'fd00:0:0:1::/64');
  fc.assert(
    fc.property(fc.array(cidrArb, { maxLength: 30 }), fc.integer({ min: 8, max: 30 }), (taken, prefix) => {
      const used = taken.map(c);
      const free = suggestFree(4, prefix, used);
      if (free === undefined) return;
      const f = c(free);
      assert.equal(f.prefix, prefix);
      assert.equal(f.hostBits, false);
      assert.ok(!used.some((u) => overlaps(u, f)), `${free} is free`);
    }),
  );
});
