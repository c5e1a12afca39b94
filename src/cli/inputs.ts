// Reading manifests for `check` and `defaults`: files, folders (recursive), stdin; multi-document YAML
// and JSON; `kind: List` expanded. Errors carry file:line:col so CI logs point at the spot.

import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { loadAll } from 'js-yaml';
import { parseAllDocuments } from 'yaml';
import type { KObject } from '../engine/types.ts';

export interface InputDoc {
  file: string;
  /** Position of the document within its file (0-based; List items share their List's index). */
  index: number;
  object: KObject;
}

export class InputError extends Error {}

const MANIFEST_EXT = new Set(['.yaml', '.yml', '.json']);

export async function readInputs(paths: readonly string[], stdin: () => Promise<string>): Promise<InputDoc[]> {
  const docs: InputDoc[] = [];
  for (const p of paths) {
    if (p === '-') {
      docs.push(...parseManifests(await stdin(), '<stdin>'));
      continue;
    }
    for (const file of await expand(p)) {
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (err) {
        throw new InputError(`${file}: cannot read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
      }
      docs.push(...parseManifests(text, file));
    }
  }
  return docs;
}

async function expand(path: string): Promise<string[]> {
  let info;
  try {
    info = await stat(path);
  } catch (err) {
    throw new InputError(`${path}: cannot read: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`);
  }
  if (!info.isDirectory()) return [path];
  const out: string[] = [];
  const entries = await readdir(path, { withFileTypes: true });
  entries.sort((a, b) => a.name.localeCompare(b.name));
  for (const e of entries) {
    const full = join(path, e.name);
    if (e.isDirectory()) out.push(...(await expand(full)));
    else if (e.isFile() && MANIFEST_EXT.has(extname(e.name).toLowerCase())) out.push(full);
  }
  return out;
}

/**
 * js-yaml builds plain objects straight from the parser's events, about 8× faster than `yaml`'s
 * document model, which is what 100k resources need. It reads only what both parsers read alike
 * (test/unit/cli/inputs.test.ts holds them to the same values over every manifest we have): anything
 * else (aliases, deep nesting, errors, a document that is not a mapping) goes to `yaml`, which caps
 * alias expansion and names the line and column.
 */
export function parseManifests(text: string, file: string): InputDoc[] {
  const fast = parseFast(text);
  return fast ? manifestDocs(fast, file) : parseCarefully(text, file);
}

function parseFast(text: string): unknown[] | undefined {
  let values: unknown[];
  try {
    values = loadAll(text, { maxAliases: 0, maxDepth: 100 });
  } catch {
    return undefined;
  }
  return values.every((v) => v === null || v === undefined || isMapping(v)) ? values : undefined;
}

function isMapping(v: unknown): v is KObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function manifestDocs(values: readonly unknown[], file: string): InputDoc[] {
  const out: InputDoc[] = [];
  values.forEach((value, index) => {
    if (!isMapping(value)) return; // empty document (e.g. a trailing ---)
    if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
      for (const item of value.items) if (item && typeof item === 'object') out.push({ file, index, object: item as KObject });
    } else out.push({ file, index, object: value });
  });
  return out;
}

export function parseCarefully(text: string, file: string): InputDoc[] {
  const values: unknown[] = [];
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw new InputError(`${file}:${pos ? `${pos.line}:${pos.col}` : '1:1'}: ${err.message.split('\n')[0]}`);
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // yaml refuses alias expansion past its cap ("billion laughs") by throwing.
      const pos = doc.contents?.range ? lineCol(text, doc.contents.range[0]) : '1:1';
      throw new InputError(`${file}:${pos}: document ${index + 1}: ${(err as Error).message}`);
    }
    if (value !== null && value !== undefined && !isMapping(value)) {
      const pos = doc.contents?.range ? lineCol(text, doc.contents.range[0]) : '1:1';
      throw new InputError(`${file}:${pos}: document ${index + 1} is not a Kubernetes object (a mapping with apiVersion and kind)`);
    }
    values.push(value);
  });
  return manifestDocs(values, file);
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}
