// Duration strings as Istio resources carry them: Go-style sequences of decimal numbers with units
// (`1m`, `1.5s`, `300ms`, `1h30m`), which also covers the protobuf JSON form (`2.000000005s`).

const UNIT_NS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n,
  'μs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const PART = /(\d+)?(?:\.(\d*))?(ns|us|µs|μs|ms|s|m|h)/y;

/** Nanoseconds, or undefined when the text is not a duration. Fractions below 1ns are truncated. */
export function parseDurationNs(text: string): bigint | undefined {
  let s = text.trim();
  let sign = 1n;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s.startsWith('-')) sign = -1n;
    s = s.slice(1);
  }
  if (s === '0') return 0n;
  if (s === '') return undefined;
  let total = 0n;
  PART.lastIndex = 0;
  while (PART.lastIndex < s.length) {
    const at = PART.lastIndex;
    const m = PART.exec(s);
    if (!m || m.index !== at) return undefined;
    const [, whole, frac, unit] = m;
    if (whole === undefined && (frac === undefined || frac === '')) return undefined;
    const ns = UNIT_NS[unit!]!;
    total += BigInt(whole ?? '0') * ns;
    if (frac) total += (BigInt(frac) * ns) / 10n ** BigInt(frac.length);
  }
  return sign * total;
}

const MS = 1_000_000n;

/** Istio's rule for outlier detection durations: at least 1ms and a whole number of milliseconds. */
export function durationProblem(text: string): string | undefined {
  const ns = parseDurationNs(text);
  if (ns === undefined) return `${JSON.stringify(text)} is not a duration (write e.g. 1s, 500ms, 1m)`;
  if (ns < MS) return `${JSON.stringify(text)} is shorter than 1ms`;
  if (ns % MS !== 0n) return `${JSON.stringify(text)} is finer than milliseconds; Istio supports durations to ms precision only`;
  return undefined;
}
