// Kubernetes resource quantities (`200m`, `2`, `256Mi`, `2G`, `1e3`), parsed exactly and compared
// exactly: a value is sign × mantissa × 2^binaryExp × 10^decimalExp with a BigInt mantissa, so no
// float rounding can make `0.1` differ from `100m` or `1Gi` from `1073741824`.
//
// Grammar (the one the apiserver accepts):
//   quantity ::= [+-] number suffix
//   number   ::= digits | digits "." digits? | "." digits
//   suffix   ::= "n" | "u" | "m" | "" | "k" | "M" | "G" | "T" | "P" | "E"   decimal SI
//              | "Ki" | "Mi" | "Gi" | "Ti" | "Pi" | "Ei"           binary SI
//              | ("e" | "E") [+-] digits                          decimal exponent
// A lone `E` is exa, `1E3` is an exponent. JSON numbers are accepted too (the field is int-or-string).

export interface Quantity {
  sign: -1 | 0 | 1;
  /** Absolute value without trailing zeros (0n for zero). */
  mantissa: bigint;
  /** Power of ten that multiplies the mantissa. */
  decimalExp: number;
  /** Power of two that multiplies the mantissa (binary SI suffixes). */
  binaryExp: number;
}

const DECIMAL_SI: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SI: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };

/** Longest text considered: quantities are short; this bounds the BigInt work a hostile object can cause. */
const MAX_LENGTH = 64;
/** Exponents beyond this are refused (the apiserver cannot represent them either). */
const MAX_EXPONENT = 1000;

const SHAPE = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;

/** Parses a quantity; undefined when the text is not one. */
export function parseQuantity(input: unknown): Quantity | undefined {
  let text: string;
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) return undefined;
    text = String(input); // e.g. `2`, `0.5`, `1e+21`: all in the grammar above
  } else if (typeof input === 'string') {
    text = input;
  } else {
    return undefined;
  }
  if (text.length === 0 || text.length > MAX_LENGTH) return undefined;
  const m = SHAPE.exec(text);
  if (!m) return undefined;
  const [, signText = '', whole = '', frac, suffix = ''] = m;
  const fraction = frac ?? '';
  if (whole === '' && fraction === '') return undefined; // `.`, `m`, `+Ki` …

  let decimalExp: number;
  let binaryExp = 0;
  if (Object.hasOwn(DECIMAL_SI, suffix)) {
    decimalExp = DECIMAL_SI[suffix] as number;
  } else if (Object.hasOwn(BINARY_SI, suffix)) {
    decimalExp = 0;
    binaryExp = BINARY_SI[suffix] as number;
  } else {
    const e = /^[eE]([+-]?\d+)$/.exec(suffix);
    if (!e) return undefined;
    decimalExp = Number(e[1]);
    if (!Number.isSafeInteger(decimalExp) || Math.abs(decimalExp) > MAX_EXPONENT) return undefined;
  }

  const digits = (whole + fraction).replace(/^0+/, '');
  decimalExp -= fraction.length;
  if (digits === '') return { sign: 0, mantissa: 0n, decimalExp: 0, binaryExp: 0 };
  // Trailing zeros move into the exponent so equal values have a comparable magnitude.
  const trimmed = digits.replace(/0+$/, '');
  decimalExp += digits.length - trimmed.length;
  return { sign: signText === '-' ? -1 : 1, mantissa: BigInt(trimmed), decimalExp, binaryExp };
}

export function isQuantity(input: unknown): boolean {
  return parseQuantity(input) !== undefined;
}

/** -1, 0 or 1 as a is less than, equal to or greater than b. Exact. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  if (a.sign !== b.sign) return a.sign < b.sign ? -1 : 1;
  if (a.sign === 0) return 0;
  const abs = compareMagnitudes(a, b);
  return (a.sign === 1 ? abs : -abs) as -1 | 0 | 1;
}

function compareMagnitudes(a: Quantity, b: Quantity): -1 | 0 | 1 {
  // Fold the binary factor into the mantissa (at most 2^60), leaving n × 10^e on both sides.
  const na = a.mantissa << BigInt(a.binaryExp);
  const nb = b.mantissa << BigInt(b.binaryExp);
  // n × 10^e lies in [10^(len-1+e), 10^(len+e)): different orders of magnitude decide at once,
  // so the scaling below only ever spans a few digits' worth of exponent difference.
  const ma = na.toString().length + a.decimalExp;
  const mb = nb.toString().length + b.decimalExp;
  if (ma !== mb) return ma < mb ? -1 : 1;
  const e = Math.min(a.decimalExp, b.decimalExp);
  const sa = na * 10n ** BigInt(a.decimalExp - e);
  const sb = nb * 10n ** BigInt(b.decimalExp - e);
  return sa === sb ? 0 : sa < sb ? -1 : 1;
}

/** Compares two raw quantity values; undefined when either does not parse. */
export function compareQuantityValues(a: unknown, b: unknown): -1 | 0 | 1 | undefined {
  const qa = parseQuantity(a);
  const qb = parseQuantity(b);
  return qa && qb ? compareQuantities(qa, qb) : undefined;
}
