import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  canonicalCidr,
  contains,
  forEachOverlap,
  intersection,
  overlapPairs,
  overlaps,
  parseCidr,
  tryCidr,
  type AddressRange,
  type Cidr,
} from '../../../src/net/cidr.ts';

// ---- A reference independent of the implementation: CIDRs generated as bit strings. ----

interface RefCidr {
  text: string;
  version: 4 | 6;
  /** The address as a string of 32 or 128 '0'/'1'. */
  bits: string;
  prefix: number;
}

const refOverlap = (a: RefCidr, b: RefCidr): boolean => {
  if (a.version !== b.version) return false;
  const p = Math.min(a.prefix, b.prefix);
  return a.bits.slice(0, p) === b.bits.slice(0, p);
};
const refContains = (outer: RefCidr, inner: RefCidr): boolean =>
  outer.version === inner.version && outer.prefix <= inner.prefix && outer.bits.slice(0, outer.prefix) === inner.bits.slice(0, outer.prefix);
const refHostBits = (c: RefCidr): boolean => c.bits.slice(c.prefix).includes('1');

const bitsOf = (values: number[], width: number) => values.map((v) => v.toString(2).padStart(width, '0')).join('');

function formatV6(groups: number[], style: { compress: boolean; upper: boolean }): string {
  let hex = groups.map((g) => g.toString(16));
  if (style.upper) hex = hex.map((h) => h.toUpperCase());
  if (!style.compress) return hex.join(':');
  // Longest run of zero groups (length ≥ 1) becomes '::'.
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [best, bestLen] = [i, j - i];
    i = j;
  }
  if (best < 0) return hex.join(':');
  return `${hex.slice(0, best).join(':')}::${hex.slice(best + bestLen).join(':')}`;
}

// Few distinct leading bytes/groups so that random ranges overlap often.
const v4Arb: fc.Arbitrary<RefCidr> = fc
  .tuple(fc.constantFrom(10, 172, 192, 0, 255), fc.constantFrom(0, 16, 17, 168, 255), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 32 }))
  .map(([a, b, c, d, prefix]) => ({ text: `${a}.${b}.${c}.${d}/${prefix}`, version: 4 as const, bits: bitsOf([a, b, c, d], 8), prefix }));

const v6Arb: fc.Arbitrary<RefCidr> = fc
  .tuple(
    fc.constantFrom(0x2001, 0xfd00, 0, 0xffff),
    fc.constantFrom(0xdb8, 0, 1),
    fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 0xffff })), { minLength: 6, maxLength: 6 }),
    fc.integer({ min: 0, max: 128 }),
    fc.record({ compress: fc.boolean(), upper: fc.boolean() }),
  )
  .map(([g0, g1, rest, prefix, style]) => {
    const groups = [g0, g1, ...rest];
    return { text: `${formatV6(groups, style)}/${prefix}`, version: 6 as const, bits: bitsOf(groups, 16), prefix };
  });

const cidrArb = fc.oneof(v4Arb, v6Arb);

const must = (text: string): Cidr => {
  const r = parseCidr(text);
  assert.ok(r.ok, `${text}: ${r.ok ? '' : r.reason}`);
  return r.cidr;
};

test('property: parse agrees with the bit-string reference (version, prefix, host bits, size)', () => {
  fc.assert(
    fc.property(cidrArb, (ref) => {
      const c = must(ref.text);
      assert.equal(c.version, ref.version);
      assert.equal(c.prefix, ref.prefix);
      assert.equal(c.hostBits, refHostBits(ref));
      const width = ref.version === 4 ? 32 : 128;
      assert.equal(c.end - c.start + 1n, 1n << BigInt(width - ref.prefix));
      assert.equal(c.start, BigInt('0b' + (ref.bits.slice(0, ref.prefix) + '0'.repeat(width - ref.prefix))));
    }),
    { numRuns: 2000 },
  );
});

test('property: the canonical form is the same network, has no host bits, and is a fixed point', () => {
  fc.assert(
    fc.property(cidrArb, (ref) => {
      const c = must(ref.text);
      const canon = must(c.canonical);
      assert.equal(canon.hostBits, false);
      assert.equal(canon.start, c.start);
      assert.equal(canon.end, c.end);
      assert.equal(canonicalCidr(c.canonical), c.canonical);
      assert.equal(c.canonical, c.canonical.toLowerCase());
      if (!c.hostBits && ref.version === 4) assert.equal(c.canonical, ref.text);
    }),
    { numRuns: 2000 },
  );
});

test('property: overlaps / contains / intersection agree with the reference', () => {
  fc.assert(
    fc.property(cidrArb, cidrArb, (ra, rb) => {
      const a = must(ra.text);
      const b = must(rb.text);
      assert.equal(overlaps(a, b), refOverlap(ra, rb), `${ra.text} ~ ${rb.text}`);
      assert.equal(contains(a, b), refContains(ra, rb), `${ra.text} ⊇ ${rb.text}`);
      const i = intersection(a, b);
      if (!refOverlap(ra, rb)) assert.equal(i, undefined);
      else {
        // The common part of two CIDRs is the more specific one.
        assert.equal(i?.prefix, Math.max(ra.prefix, rb.prefix));
        assert.ok(contains(a, i!) && contains(b, i!));
      }
    }),
    { numRuns: 5000 },
  );
});

test('property: the overlap index reports exactly the pairs the brute-force O(N²) scan finds', () => {
  fc.assert(
    fc.property(fc.array(cidrArb, { maxLength: 60 }), (refs) => {
      const ranges = refs.map((r) => must(r.text));
      const expected: string[] = [];
      for (let i = 0; i < refs.length; i++) for (let j = i + 1; j < refs.length; j++) if (refOverlap(refs[i]!, refs[j]!)) expected.push(`${i},${j}`);
      const got = overlapPairs(ranges).map(([i, j]) => `${i},${j}`);
      assert.equal(new Set(got).size, got.length, 'no pair twice');
      assert.deepEqual(got.sort(), expected.sort());
    }),
    { numRuns: 500 },
  );
});

test('property: the overlap index on arbitrary (non-CIDR) intervals matches brute force', () => {
  const interval = fc
    .tuple(fc.constantFrom<4 | 6>(4, 6), fc.bigInt({ min: 0n, max: 50n }), fc.bigInt({ min: 0n, max: 10n }))
    .map(([version, start, len]): AddressRange => ({ version, start, end: start + len }));
  fc.assert(
    fc.property(fc.array(interval, { maxLength: 80 }), (ranges) => {
      const expected: string[] = [];
      for (let i = 0; i < ranges.length; i++) for (let j = i + 1; j < ranges.length; j++) if (overlaps(ranges[i]!, ranges[j]!)) expected.push(`${i},${j}`);
      const got: string[] = [];
      forEachOverlap(ranges, (i, j) => {
        assert.ok(i < j);
        got.push(`${i},${j}`);
      });
      assert.deepEqual(got.sort(), expected.sort());
    }),
    { numRuns: 500 },
  );
});

test('examples from the plan: supernets, seed 003 ranges, IPv6', () => {
  assert.ok(overlaps(must('172.16.0.0/12'), must('172.16.0.0/16')));
  assert.ok(contains(must('20.0.0.0/8'), must('20.0.0.0/16')));
  assert.ok(!overlaps(must('10.0.0.0/16'), must('10.1.0.0/16')));
  assert.ok(!overlaps(must('172.16.0.0/16'), must('172.17.0.0/16')));
  assert.ok(!overlaps(must('10.0.0.0/8'), must('::a00:0/104')), 'families never overlap');
  assert.equal(intersection(must('192.168.0.0/16'), must('192.168.0.0/24'))?.canonical, '192.168.0.0/24');
  assert.deepEqual(overlapPairs(['20.0.0.0/8', '21.0.0.0/8', '192.168.0.0/16', '20.0.0.0/16', '192.168.0.0/24', '10.0.0.0/16'].map(must)), [
    [0, 3],
    [2, 4],
  ]);
});

test('canonicalisation: host bits set', () => {
  const c = must('172.17.5.0/16');
  assert.equal(c.hostBits, true);
  assert.equal(c.canonical, '172.17.0.0/16');
  assert.equal(must('2001:DB8::1/32').canonical, '2001:db8::/32');
  assert.equal(must('2001:db8::/32').hostBits, false);
  assert.equal(must('0.0.0.0/0').hostBits, false);
  assert.equal(must('1.2.3.4/32').hostBits, false);
});

test('strict syntax: what cidr-tools alone would accept loosely is rejected with a reason', () => {
  const bad: Array<[string, RegExp]> = [
    ['10.0.0.0', /no \/prefix/],
    ['10.0.0.0/33', /above 32/],
    ['10.0.0.0/', /not a decimal/],
    ['10.0.0.0/08', /not a decimal/],
    ['10.0.0.0/-1', /not a decimal/],
    ['010.0.0.0/8', /leading zero/],
    ['256.0.0.0/8', /above 255/],
    ['1.2.3/8', /not an IPv4 or IPv6/],
    ['1.2.3.4.5/8', /not an IPv4 or IPv6/],
    [' 10.0.0.0/8', /not an IPv4 or IPv6/],
    ['10.0.0.0/8 ', /not a decimal/],
    ['fe80::1%eth0/64', /zone index/],
    ['2001:db8::g/64', /not an IPv6/],
    ['2001:db8:::1/64', /not an IPv6/],
    ['::/129', /above 128/],
    ['', /no \/prefix/],
    ['a/b', /not a decimal/],
  ];
  for (const [text, reason] of bad) {
    const r = parseCidr(text);
    assert.equal(r.ok, false, text);
    if (!r.ok) assert.match(r.reason, reason, text);
    assert.equal(tryCidr(text), undefined);
    assert.equal(canonicalCidr(text), undefined);
  }
  for (const good of ['0.0.0.0/0', '255.255.255.255/32', '::/0', '::ffff:10.0.0.0/104', 'FD00::/8']) assert.ok(parseCidr(good).ok, good);
});

test('exactPrefix: the block the writer of a CIDR with host bits may have meant', async () => {
  const { exactPrefix } = await import('../../../src/net/cidr.ts');
  assert.equal(exactPrefix(must('172.17.5.0/16')), 24);
  assert.equal(exactPrefix(must('10.0.0.1/8')), 32);
  assert.equal(exactPrefix(must('10.0.0.0/8')), 8);
  assert.equal(exactPrefix(must('2001:db8:0:1::/32')), 64);
  fc.assert(
    fc.property(cidrArb, (ref) => {
      const c = must(ref.text);
      const p = exactPrefix(c);
      const exact = must(`${c.text.slice(0, c.text.indexOf('/'))}/${p}`);
      assert.equal(exact.hostBits, false);
      assert.equal(p === c.prefix, !c.hostBits);
      if (p > c.prefix) assert.equal(must(`${c.text.slice(0, c.text.indexOf('/'))}/${p - 1}`).hostBits, true);
    }),
  );
});
