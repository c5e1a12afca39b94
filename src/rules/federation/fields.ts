// Where each field of the federation kinds may sit. The CRDs are structural, so the API server prunes
// any field that is not declared at that place: `importAsLocal` written inside `nameSelector` is
// silently dropped and the import is not local. These trees let two rules name such fields and say
// where they belong (misplaced) or what they were probably meant to be (unknown).

import type { RuleContext } from '../../engine/context.ts';
import { ptr } from '../../engine/pointer.ts';
import { defineValidator, type Validator } from '../../engine/rule.ts';

/** 'leaf': a scalar or a value we do not descend into; 'any': free-form (metadata, status, maps). */
export type Shape = 'leaf' | 'any' | readonly [Shape] | { readonly [field: string]: Shape };

const ref: Shape = { namespace: 'leaf', name: 'leaf' };
const nameMapping: Shape = { namespace: 'leaf', name: 'leaf', alias: ref };

function object(spec: Shape): Shape {
  return { apiVersion: 'leaf', kind: 'leaf', metadata: 'any', status: 'any', spec };
}

export const SERVICE_MESH_PEER_FIELDS: Shape = object({
  remote: { addresses: ['leaf'], discoveryPort: 'leaf', servicePort: 'leaf' },
  gateways: { ingress: { name: 'leaf' }, egress: { name: 'leaf' } },
  security: {
    trustDomain: 'leaf',
    clientID: 'leaf',
    certificateChain: { apiGroup: 'leaf', kind: 'leaf', name: 'leaf' },
    allowDirectInbound: 'leaf',
    allowDirectOutbound: 'leaf',
  },
});

export const EXPORTED_SERVICE_SET_FIELDS: Shape = object({
  exportRules: [
    {
      type: 'leaf',
      nameSelector: nameMapping,
      labelSelector: {
        namespace: 'leaf',
        selector: { matchLabels: 'any', matchExpressions: [{ key: 'leaf', operator: 'leaf', values: ['leaf'] }] },
        aliases: [nameMapping],
      },
    },
  ],
});

export const IMPORTED_SERVICE_SET_FIELDS: Shape = object({
  domainSuffix: 'leaf',
  locality: { region: 'leaf', zone: 'leaf', subzone: 'leaf' },
  importRules: [{ type: 'leaf', importAsLocal: 'leaf', domainSuffix: 'leaf', nameSelector: nameMapping }],
});

type Token = string | number;
type Template = ReadonlyArray<string | '*'>;

interface Stray {
  /** Path of the object holding the stray field. */
  parent: Token[];
  key: string;
  value: unknown;
  /** Fields declared at the parent's place. */
  siblings: string[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isObjectShape(s: Shape): s is { readonly [field: string]: Shape } {
  return typeof s === 'object' && !Array.isArray(s);
}

/** Every field of `value` that `shape` does not declare at its place. */
export function strayFields(value: unknown, shape: Shape, path: Token[] = []): Stray[] {
  if (typeof shape === 'string') return [];
  if (Array.isArray(shape)) {
    if (!Array.isArray(value)) return [];
    const item = (shape as readonly [Shape])[0];
    return value.flatMap((el, i) => strayFields(el, item, [...path, i]));
  }
  if (!isRecord(value) || !isObjectShape(shape)) return [];
  const out: Stray[] = [];
  for (const [key, v] of Object.entries(value)) {
    const child = Object.hasOwn(shape, key) ? shape[key] : undefined;
    if (child === undefined) out.push({ parent: path, key, value: v, siblings: Object.keys(shape) });
    else out.push(...strayFields(v, child, [...path, key]));
  }
  return out;
}

/** Every place in `shape` where a field named `key` is declared (array items as '*'). */
export function placesOf(shape: Shape, key: string, at: Template = []): Template[] {
  if (typeof shape === 'string') return [];
  if (Array.isArray(shape)) return placesOf((shape as readonly [Shape])[0], key, [...at, '*']);
  if (!isObjectShape(shape)) return [];
  const out: Template[] = [];
  for (const [field, child] of Object.entries(shape)) {
    if (field === key) out.push([...at, field]);
    out.push(...placesOf(child, key, [...at, field]));
  }
  return out;
}

/** How many leading tokens `template` shares with `path` ('*' matches any index). */
function sharedPrefix(template: Template, path: readonly Token[]): number {
  let i = 0;
  while (i < template.length && i < path.length) {
    const t = template[i];
    const p = path[i];
    if (!(t === p || (t === '*' && typeof p === 'number'))) break;
    i++;
  }
  return i;
}

/** The declared place nearest to where the field was found, with array indexes taken from that path. */
export function nearestPlace(places: readonly Template[], parent: readonly Token[]): Token[] | undefined {
  let best: { place: Template; shared: number } | undefined;
  for (const place of places) {
    const shared = sharedPrefix(place, parent);
    if (!best || shared > best.shared || (shared === best.shared && place.length < best.place.length)) best = { place, shared };
  }
  if (!best) return undefined;
  const { place, shared } = best;
  return place.map((t, i) => (t === '*' && i < shared ? (parent[i] as Token) : t));
}

/** `['spec','importRules',0,'type']` → `spec.importRules[0].type`; an unresolved '*' → `[]`. */
export function render(tokens: readonly Token[]): string {
  let out = '';
  for (const t of tokens) {
    if (typeof t === 'number') out += `[${t}]`;
    else if (t === '*') out += '[]';
    else out += out === '' ? t : `.${t}`;
  }
  return out;
}

function getAt(root: unknown, tokens: readonly Token[]): unknown {
  let cur = root;
  for (const t of tokens) {
    if (Array.isArray(cur) && typeof t === 'number') cur = cur[t];
    else if (isRecord(cur) && typeof t === 'string' && Object.hasOwn(cur, t)) cur = cur[t];
    else return undefined;
  }
  return cur;
}

function shortValue(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j] as number;
      row[j] = Math.min(cur + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length] as number;
}

/** The declared sibling a stray key was probably meant to be (case slip or a typo of one or two letters). */
export function likelyMeant(key: string, siblings: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameCase = siblings.find((s) => s.toLowerCase() === lower);
  if (sameCase) return sameCase;
  if (key.length < 4) return undefined;
  const scored = siblings.map((s) => ({ s, d: editDistance(lower, s.toLowerCase()) })).filter((x) => x.d <= 2);
  scored.sort((a, b) => a.d - b.d);
  return scored[0]?.s;
}

const MISPLACED_SUMMARY =
  'a field sits where the CRD does not declare it but declares it elsewhere (the API server would drop it); the finding names where it belongs';
const UNKNOWN_SUMMARY = 'a field the CRD does not declare anywhere (the API server would drop it); the finding suggests the field probably meant';

/** `federation/misplaced-field` for one kind (same ID and metadata for every federation kind). */
export function misplacedFieldRule<T>(kind: string, shape: Shape): Validator<T> {
  return defineValidator<T>({
    id: 'federation/misplaced-field',
    severity: 'error',
    summary: MISPLACED_SUMMARY,
    source: '004',
    check(obj, _ctx: RuleContext, report) {
      for (const stray of strayFields(obj, shape)) {
        const place = nearestPlace(placesOf(shape, stray.key), stray.parent);
        if (!place) continue;
        const here = render([...stray.parent, stray.key]);
        const there = render(place);
        const last = stray.parent[stray.parent.length - 1];
        const where =
          last === undefined ? kind : typeof last === 'number' ? `an entry of ${String(stray.parent[stray.parent.length - 2])}` : last;
        const existing = place.includes('*') ? undefined : getAt(obj, place);
        const fix =
          existing === undefined
            ? `move ${stray.key}: ${shortValue(stray.value)} to ${there}`
            : `remove ${here}; ${there} is already set (${shortValue(existing)})`;
        report(
          ptr(...stray.parent, stray.key),
          `${here} is not a field of ${where}, so the API server drops it; ${stray.key} belongs at ${there}`,
          fix,
        );
      }
    },
  });
}

/** `federation/unknown-field` for one kind. */
export function unknownFieldRule<T>(kind: string, shape: Shape): Validator<T> {
  return defineValidator<T>({
    id: 'federation/unknown-field',
    severity: 'warning',
    summary: UNKNOWN_SUMMARY,
    source: '004',
    check(obj, _ctx: RuleContext, report) {
      for (const stray of strayFields(obj, shape)) {
        if (placesOf(shape, stray.key).length > 0) continue; // misplaced-field names it
        const here = render([...stray.parent, stray.key]);
        const meant = likelyMeant(stray.key, stray.siblings);
        const fix = meant
          ? `rename ${stray.key} to ${meant}`
          : `remove ${stray.key} or correct its name (declared here: ${stray.siblings.join(', ')})`;
        report(ptr(...stray.parent, stray.key), `${here} is not declared by the ${kind} CRD, so the API server drops it`, fix);
      }
    },
  });
}
