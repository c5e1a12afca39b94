// RFC 6901 JSON Pointers: every finding path and every patch path goes through here.

import { defineOwn } from './clone.ts';

export function escapeToken(token: string | number): string {
  if (typeof token === 'number') return String(token);
  return token.includes('~') || token.includes('/') ? token.replace(/~/g, '~0').replace(/\//g, '~1') : token;
}

export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `ptr('spec', 'remote', 0)` → `/spec/remote/0`. */
export function ptr(...tokens: Array<string | number>): string {
  let out = '';
  for (const t of tokens) out += '/' + escapeToken(t);
  return out;
}

export function join(base: string, ...tokens: Array<string | number>): string {
  return base + ptr(...tokens);
}

export function parsePointer(pointer: string): string[] {
  return [...tokensOf(pointer)];
}

// Rules set and report the same few hundred pointers over and over (a CLI run: millions of times).
const TOKEN_CACHE_SIZE = 4096;
const tokenCache = new Map<string, readonly string[]>();

export function tokensOf(pointer: string): readonly string[] {
  const hit = tokenCache.get(pointer);
  if (hit) return hit;
  if (pointer !== '' && !pointer.startsWith('/')) throw new Error(`invalid JSON pointer ${JSON.stringify(pointer)}`);
  const tokens = Object.freeze(pointer === '' ? [] : pointer.slice(1).split('/').map(unescapeToken));
  if (tokenCache.size >= TOKEN_CACHE_SIZE) tokenCache.clear();
  tokenCache.set(pointer, tokens);
  return tokens;
}

/** Human form for messages: `/spec/ports/0/name` → `spec.ports[0].name`. */
export function dotted(pointer: string): string {
  let out = '';
  for (const t of tokensOf(pointer)) out += /^\d+$/.test(t) ? `[${t}]` : out === '' ? t : `.${t}`;
  return out;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function getAt(root: unknown, pointer: string): unknown {
  let cur: unknown = root;
  for (const t of tokensOf(pointer)) {
    if (Array.isArray(cur)) cur = /^\d+$/.test(t) ? cur[Number(t)] : undefined;
    else if (isRecord(cur)) cur = Object.hasOwn(cur, t) ? cur[t] : undefined;
    else return undefined;
  }
  return cur;
}

export function hasAt(root: unknown, pointer: string): boolean {
  return getAt(root, pointer) !== undefined;
}

/** Where a write went: `parent[key]` holds the topmost new value, at `path`. */
export interface Written {
  path: string;
  parent: Record<string, unknown>;
  key: string;
}

/**
 * Sets `value` at `pointer` only when nothing is there, creating missing parent objects.
 * Returns false (and changes nothing) when a value (even null) exists or a parent is not an object,
 * so a defaulter can never overwrite or reshape what the user wrote.
 */
export function setIfAbsent(root: Record<string, unknown>, pointer: string, value: unknown): boolean {
  return writeIfAbsent(root, pointer, value) !== undefined;
}

/**
 * setIfAbsent that says where the new data went: `pointer` itself, or the first parent it had to create
 * (whose value then holds the rest). `visit` sees every existing container walked through.
 */
export function writeIfAbsent(root: Record<string, unknown>, pointer: string, value: unknown, visit?: (container: object) => void): Written | undefined {
  const tokens = tokensOf(pointer);
  const last = tokens.at(-1);
  if (last === undefined) return undefined;
  let cur: Record<string, unknown> = root;
  let top: Written | undefined;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i] as string;
    if (Array.isArray(cur)) {
      // Arrays are walked, never grown: a default belongs to an element the user wrote.
      const el: unknown = /^\d+$/.test(t) ? cur[Number(t)] : undefined;
      if (!isRecord(el) && !Array.isArray(el)) return undefined;
      cur = el as Record<string, unknown>;
      visit?.(cur);
      continue;
    }
    const next = Object.hasOwn(cur, t) ? cur[t] : undefined;
    if (next === undefined) {
      // Once a parent is missing everything below is new: the walk cannot fail from here on.
      const created: Record<string, unknown> = {};
      defineOwn(cur, t, created);
      top ??= { path: ptr(...tokens.slice(0, i + 1)), parent: cur, key: t };
      cur = created;
    } else if (isRecord(next) || Array.isArray(next)) {
      cur = next as Record<string, unknown>;
      visit?.(cur);
    } else return undefined;
  }
  if (Array.isArray(cur)) return undefined;
  // An explicit null is something the user wrote; leave it to validation rather than replace it.
  if (Object.hasOwn(cur, last) && cur[last] !== undefined) return undefined;
  defineOwn(cur, last, value);
  return top ?? { path: pointer, parent: cur, key: last };
}
