// Plain data that crosses every boundary: findings, object references, Kubernetes object shapes.

export type Severity = 'error' | 'warning' | 'info';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'info'];

export interface Finding {
  /** Stable `family/kebab-name` ID. */
  rule: string;
  severity: Severity;
  /** JSON Pointer into the object (RFC 6901), '' for the whole object. */
  path: string;
  message: string;
  fix?: string;
}

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupKind {
  group: string;
  kind: string;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** Any Kubernetes object as JSON. Rules get typed views of it through their zod schemas. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

export function splitApiVersion(apiVersion: unknown): { group: string; version: string } {
  if (typeof apiVersion !== 'string' || apiVersion === '') return { group: '', version: '' };
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function gkKey(group: string, kind: string): string {
  return `${group}/${kind}`;
}

/** A string field of untrusted JSON, or '' (a name that is an array must not reach a template literal). */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * True when `value` nests deeper than `max` levels. Iterative, so hostile input cannot overflow the stack
 * here; the engine refuses such objects before cloning or diffing them (both recursive).
 */
export function nestsDeeperThan(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

/** Shared read-only data (topology facts, cached parses) is frozen so no rule can change it for the next. */
export function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
