// Reading manifests for `check` and `defaults`: files, folders (recursive), stdin; multi-document YAML
// and JSON; `kind: List` expanded. Errors carry file:line:col so CI logs point at the spot.

import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
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

export function parseManifests(text: string, file: string): InputDoc[] {
  const out: InputDoc[] = [];
  const docs = parseAllDocuments(text, { prettyErrors: false, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  list.forEach((doc, index) => {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0];
      throw new InputError(`${file}:${pos ? `${pos.line}:${pos.col}` : '1:1'}: ${err.message.split('\n')[0]}`);
    }
    const value: unknown = doc.toJS({ maxAliasCount: 100 });
    if (value === null || value === undefined) return; // empty document (e.g. a trailing ---)
    if (typeof value !== 'object' || Array.isArray(value)) {
      const pos = doc.contents?.range ? lineCol(text, doc.contents.range[0]) : '1:1';
      throw new InputError(`${file}:${pos}: document ${index + 1} is not a Kubernetes object (a mapping with apiVersion and kind)`);
    }
    const obj = value as KObject;
    if (typeof obj.kind === 'string' && obj.kind.endsWith('List') && Array.isArray(obj.items)) {
      for (const item of obj.items) if (item && typeof item === 'object') out.push({ file, index, object: item as KObject });
    } else out.push({ file, index, object: obj });
  });
  return out;
}

function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1)?.length ?? 0) + 1}`;
}
