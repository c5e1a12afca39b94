import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { compareQuantities, compareQuantityValues, isQuantity, parseQuantity } from '../../../../src/rules/common/quantity.ts';

test('accepts every Kubernetes quantity form', () => {
  const valid: unknown[] = [
    '0', '2', '200m', '256Mi', '2G', '4G', '1Ki', '1Mi', '1Gi', '1Ti', '1Pi', '1Ei', '1n', '100u', '1k', '1M', '1T', '1P', '1E',
    '1e3', '1E3', '1e+3', '1e-3', '1.5', '.5', '5.', '1.5Gi', '+1', '-1', '-0', '0.000', '007', '1.0e2',
    2, 0, 0.5, 1e21, 5e-7,
  ];
  for (const v of valid) assert.ok(isQuantity(v), `${String(v)} should parse`);
});

test('refuses what the apiserver refuses (and absurd sizes)', () => {
  const invalid: unknown[] = [
    '', ' ', ' 1', '1 ', '1 Gi', 'abc', '1K', '1kb', '1Mb', '1mi', '1GB', '1.2.3', '--1', '+-1', '1e', '1e1.5', '1ee3', '1e3m',
    'Mi', '.', '+', '-', 'e3', '1Gii', '0x10', '1,000', '1_000', '1e1001', '1e-1001', `1${'0'.repeat(100)}`,
    NaN, Infinity, -Infinity, null, undefined, true, {}, [],
  ];
  for (const v of invalid) assert.equal(parseQuantity(v), undefined, `${JSON.stringify(v) ?? String(v)} should not parse`);
});

test('a lone E is exa, E followed by digits is an exponent', () => {
  assert.equal(compareQuantityValues('1E', '1000000000000000000'), 0);
  assert.equal(compareQuantityValues('1E3', '1000'), 0);
  assert.equal(compareQuantityValues('2E', '2e18'), 0);
});

const table: Array<[a: unknown, b: unknown, expected: -1 | 0 | 1]> = [
  // the issue's cases: seed 003's gateway
  ['2', '200m', 1],
  ['200m', '2', -1],
  ['2G', '256Mi', 1],
  ['256Mi', '2G', -1],
  ['4G', '4G', 0],
  // decimal vs binary SI
  ['1Gi', '1073741824', 0],
  ['1G', '1Gi', -1],
  ['1000Mi', '1G', 1],
  ['976562500Ki', '1T', 0], // 976562500 × 1024 = 10^12
  ['1Ei', '1E', 1],
  ['1.5Gi', '1536Mi', 0],
  ['0.5Ki', '512', 0],
  // no float surprises
  ['0.1', '100m', 0],
  ['0.3', '300m', 0],
  ['0.30000000000000004', '300m', 1],
  ['1.000000000000000001', '1', 1],
  ['0.000000001', '1n', 0],
  ['0.0001', '100u', 0],
  ['100m', '0.1', 0],
  ['999m', '1', -1],
  ['1001m', '1', 1],
  // exponents
  ['1e3', '1k', 0],
  ['1e-3', '1m', 0],
  ['12e2', '1.2k', 0],
  ['1e1000', '1e999', 1],
  ['1e-1000', '0', 1],
  ['1e1000', `9${'9'.repeat(60)}`, 1],
  // big integers beyond 2^53
  ['12345678901234567890123', '12345678901234567890124', -1],
  ['9007199254740993', '9007199254740992', 1],
  // forms of the same number
  ['.5', '500m', 0],
  ['5.', '5', 0],
  ['+1', '1', 0],
  ['007', '7', 0],
  ['1.0e2', '100', 0],
  ['0', '0m', 0],
  ['0', '-0', 0],
  // signs
  ['-1', '0', -1],
  ['-2', '-1', -1],
  ['-1Gi', '-1G', -1],
  ['-1m', '1n', -1],
  // JSON numbers (int-or-string)
  [2, '2', 0],
  [0.5, '500m', 0],
  [1e21, '1e21', 0],
  [2, '1999m', 1],
];

test('compares exactly', () => {
  for (const [a, b, expected] of table) {
    assert.equal(compareQuantityValues(a, b), expected, `${String(a)} vs ${String(b)}`);
    assert.equal(compareQuantityValues(b, a), -expected || 0, `${String(b)} vs ${String(a)}`);
  }
});

test('compare of an unparseable value is undefined, not a guess', () => {
  assert.equal(compareQuantityValues('2', '2GB'), undefined);
  assert.equal(compareQuantityValues(undefined, '1'), undefined);
});

// ---- property: agrees with an independent exact reference (rational num/den cross-multiplication)

const DEC: Record<string, [bigint, bigint]> = { n: [1n, 10n ** 9n], u: [1n, 10n ** 6n], m: [1n, 1000n], '': [1n, 1n], k: [1000n, 1n], M: [10n ** 6n, 1n], G: [10n ** 9n, 1n], T: [10n ** 12n, 1n], P: [10n ** 15n, 1n], E: [10n ** 18n, 1n] };
const BIN: Record<string, bigint> = { Ki: 1n << 10n, Mi: 1n << 20n, Gi: 1n << 30n, Ti: 1n << 40n, Pi: 1n << 50n, Ei: 1n << 60n };

function reference(text: string): [bigint, bigint] {
  const m = /^(-?)(\d+)(?:\.(\d+))?(.*)$/.exec(text)!;
  const [, sign, whole, frac = '', suffix = ''] = m;
  let num = BigInt(whole! + frac) * (sign === '-' ? -1n : 1n);
  let den = 10n ** BigInt(frac.length);
  if (suffix in BIN) num *= BIN[suffix]!;
  else if (suffix in DEC) {
    num *= DEC[suffix]![0];
    den *= DEC[suffix]![1];
  } else {
    const e = Number(suffix.slice(1));
    if (e >= 0) num *= 10n ** BigInt(e);
    else den *= 10n ** BigInt(-e);
  }
  return [num, den];
}

const quantityText = fc
  .tuple(
    fc.boolean(),
    fc.bigInt({ min: 0n, max: 10n ** 25n }),
    fc.option(fc.stringMatching(/^\d{1,12}$/), { nil: undefined }),
    fc.oneof(fc.constantFrom(...Object.keys(DEC), ...Object.keys(BIN)), fc.integer({ min: -40, max: 40 }).map((e) => `e${e}`)),
  )
  .map(([neg, whole, frac, suffix]) => `${neg ? '-' : ''}${whole}${frac === undefined ? '' : `.${frac}`}${suffix}`);

test('property: compareQuantities agrees with exact rational comparison', () => {
  fc.assert(
    fc.property(quantityText, quantityText, (a, b) => {
      const qa = parseQuantity(a);
      const qb = parseQuantity(b);
      assert.ok(qa && qb, `${a} / ${b} parse`);
      const [na, da] = reference(a);
      const [nb, db] = reference(b);
      const l = na * db;
      const r = nb * da;
      const expected = l === r ? 0 : l < r ? -1 : 1;
      assert.equal(compareQuantities(qa, qb), expected, `${a} vs ${b}`);
    }),
    { numRuns: 2000 },
  );
});

test('property: a quantity equals itself written with a shifted exponent and scaled mantissa', () => {
  fc.assert(
    fc.property(fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.integer({ min: -30, max: 30 }), fc.integer({ min: 0, max: 15 }), (n, e, k) => {
      const a = `${n}e${e}`;
      const b = `${n * 10n ** BigInt(k)}e${e - k}`;
      assert.equal(compareQuantityValues(a, b), 0, `${a} = ${b}`);
      assert.equal(compareQuantityValues(a, `${n + 1n}e${e}`), -1);
    }),
    { numRuns: 500 },
  );
});

test('hostile sizes stay cheap', () => {
  const start = performance.now();
  for (let i = 0; i < 2000; i++) compareQuantityValues(`9${'9'.repeat(55)}e1000`, `1e-1000`);
  assert.ok(performance.now() - start < 2000);
});
