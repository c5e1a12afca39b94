// RFC 6901 JSON Pointers: every finding path and every patch path goes through here.

export function escapeToken(token: string | number): string {
  return String(token).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function unescapeToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** `ptr('spec', 'remote', 0)` → `/spec/remote/0`. */
export function ptr(...tokens: Array<string | number>): string {
  return tokens.map((t) => '/' + escapeToken(t)).join('');
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

function tokensOf(pointer: string): readonly string[] {
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

/**
 * Sets `value` at `pointer` only when nothing is there, creating missing parent objects.
 * Returns false (and changes nothing) when a value (even null) exists or a parent is not an object,
 * so a defaulter can never overwrite or reshape what the user wrote.
 */
export function setIfAbsent(root: Record<string, unknown>, pointer: string, value: unknown): boolean {
  const tokens = tokensOf(pointer);
  const last = tokens.at(-1);
  if (last === undefined) return false;
  let cur: Record<string, unknown> = root;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i] as string;
    if (Array.isArray(cur)) {
      // Arrays are walked, never grown: a default belongs to an element the user wrote.
      const el: unknown = /^\d+$/.test(t) ? cur[Number(t)] : undefined;
      if (!isRecord(el) && !Array.isArray(el)) return false;
      cur = el as Record<string, unknown>;
      continue;
    }
    const next = Object.hasOwn(cur, t) ? cur[t] : undefined;
    if (next === undefined) {
      const created: Record<string, unknown> = {};
      cur[t] = created;
      cur = created;
    } else if (isRecord(next) || Array.isArray(next)) cur = next as Record<string, unknown>;
    else return false;
  }
  if (Array.isArray(cur)) return false;
  // An explicit null is something the user wrote; leave it to validation rather than replace it.
  if (Object.hasOwn(cur, last) && cur[last] !== undefined) return false;
  cur[last] = value;
  return true;
}
