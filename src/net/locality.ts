// Istio locality strings: `region[/zone[/subzone]]`, where a trailing `*` segment (or a bare `*`) is a
// wildcard. Used by DestinationRule `localityLbSetting` (distribute `from`/`to`, failover regions).
//
// Syntax as Istio accepts it (istio.io DestinationRule reference, localityLbSetting validation):
// * the string is cut at the first two `/`: whatever follows the second `/` is the subzone, slashes included;
// * no segment may be empty (`a//b`, `a/`, `/a`, ``);
// * at most one `*`, and it must be the last character (`*`, `us-east/*`, `us-east/zone1/*`).
// Istio accepts a `*` that ends a segment without being the whole segment (`us-east/zone*`), but its
// matcher compares such a segment literally, so it is not a wildcard: `isPartialWildcard` names that case.
//
// Matching (how a proxy's locality is compared with a rule locality): a `*` segment or an absent zone /
// subzone matches anything, any other segment must be equal.

/** A locality split the way Istio splits it. */
export interface Locality {
  text: string;
  region: string;
  zone?: string;
  subzone?: string;
}

/** A concrete locality of a proxy or endpoint (no wildcards). */
export interface ConcreteLocality {
  region: string;
  zone?: string;
  subzone?: string;
}

export const WILDCARD = '*';

/** Splits like Istio: at most three segments, the third keeps any further `/`. */
export function splitLocality(text: string): string[] {
  const first = text.indexOf('/');
  if (first < 0) return [text];
  const second = text.indexOf('/', first + 1);
  if (second < 0) return [text.slice(0, first), text.slice(first + 1)];
  return [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
}

export function parseLocality(text: string): Locality {
  const [region = '', zone, subzone] = splitLocality(text);
  const out: Locality = { text, region };
  if (zone !== undefined) out.zone = zone;
  if (subzone !== undefined) out.subzone = subzone;
  return out;
}

/** Why Istio rejects the wildcard use in `text`, or undefined when it accepts it. */
export function wildcardProblem(text: string): string | undefined {
  const stars = text.split(WILDCARD).length - 1;
  if (stars === 0) return undefined;
  if (stars > 1) return `${JSON.stringify(text)} has ${stars} '*' wildcards; at most one is allowed`;
  if (!text.endsWith(WILDCARD)) return `${JSON.stringify(text)} has '*' before the end; a wildcard may only be the last segment`;
  return undefined;
}

/** Whether `text` has an empty region, zone or subzone segment (Istio rejects it). */
export function hasEmptySegment(text: string): boolean {
  return splitLocality(text).some((s) => s === '');
}

/**
 * A `*` that Istio accepts syntactically but that is not a whole segment (`us-east/zone*`): Istio's matcher
 * compares that segment literally, so it matches only a zone literally named `zone*`.
 */
export function isPartialWildcard(text: string): boolean {
  if (wildcardProblem(text) !== undefined || !text.endsWith(WILDCARD)) return false;
  const segments = splitLocality(text);
  return segments[segments.length - 1] !== WILDCARD;
}

/** Syntactically valid for Istio: no empty segment and no misplaced `*`. */
export function isValidLocality(text: string): boolean {
  return !hasEmptySegment(text) && wildcardProblem(text) === undefined;
}

/** Whether the locality names only a region (what failover `from`/`to` must be). */
export function isRegionOnly(text: string): boolean {
  return !text.includes('/');
}

type Pattern = [string | undefined, string | undefined, string | undefined];

/** Region, zone, subzone with `undefined` for "any" (a `*` segment or an absent zone / subzone). */
function pattern(text: string): Pattern {
  const l = parseLocality(text);
  const any = (s: string | undefined) => (s === undefined || s === WILDCARD ? undefined : s);
  return [any(l.region), any(l.zone), any(l.subzone)];
}

/** Whether the rule locality `rule` selects the concrete locality `loc`, as Istio matches them. */
export function localityMatches(rule: string, loc: ConcreteLocality): boolean {
  const [r, z, s] = pattern(rule);
  return (r === undefined || r === loc.region) && (z === undefined || z === loc.zone) && (s === undefined || s === loc.subzone);
}

/** Whether some concrete locality is selected by both `a` and `b`. */
export function localitiesOverlap(a: string, b: string): boolean {
  const pa = pattern(a);
  const pb = pattern(b);
  return pa.every((x, i) => x === undefined || pb[i] === undefined || x === pb[i]);
}

/** Every overlapping pair `[i, j]` (i < j) among the syntactically valid localities of `list`. */
export function overlappingPairs(list: readonly string[]): Array<[number, number]> {
  const pairs: Array<[number, number]> = [];
  for (let i = 0; i < list.length; i++) {
    if (!isValidLocality(list[i]!)) continue;
    for (let j = i + 1; j < list.length; j++) {
      if (isValidLocality(list[j]!) && localitiesOverlap(list[i]!, list[j]!)) pairs.push([i, j]);
    }
  }
  return pairs;
}

/** The region a locality names, or undefined for a wildcard region. */
export function regionOf(text: string): string | undefined {
  return pattern(text)[0];
}

/** The zone a locality names, or undefined when it names none or a wildcard. */
export function zoneOf(text: string): string | undefined {
  return pattern(text)[1];
}
