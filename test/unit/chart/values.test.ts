// values.yaml, values.schema.json and README.md cannot drift: the schema lists exactly the keys of
// values.yaml (walked both ways), every key carries a comment, and the README table is generated.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { collect, keyComments, renderTable, updateReadme, START, END } from '../../../scripts/chart-docs.ts';
import { CHART, REPO } from './helm.ts';

interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  additionalProperties?: boolean | Schema;
  items?: Schema;
}

const valuesText = readFileSync(join(CHART, 'values.yaml'), 'utf8');
const values = parse(valuesText) as Record<string, unknown>;
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Schema;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Differences between a values tree and a schema. A schema object with `properties` must list exactly
 * the keys of the value; one without (a free-form map such as nodeSelector or config.rules) ends the walk.
 */
function drift(value: unknown, node: Schema, path = ''): string[] {
  const out: string[] = [];
  if (!node.properties) return out;
  if (!isMap(value)) return [`${path || '(root)'}: schema has properties but values.yaml holds ${JSON.stringify(value)}`];
  if (node.additionalProperties !== false) out.push(`${path || '(root)'}: schema object with properties must set additionalProperties: false (typos would pass)`);
  for (const key of Object.keys(value)) {
    const child = node.properties[key];
    const p = path ? `${path}.${key}` : key;
    if (!child) out.push(`${p}: in values.yaml, not in values.schema.json`);
    else out.push(...drift(value[key], child, p));
  }
  for (const key of Object.keys(node.properties)) {
    if (!Object.hasOwn(value, key)) out.push(`${path ? `${path}.` : ''}${key}: in values.schema.json, not in values.yaml`);
  }
  return out;
}

describe('values.schema.json', () => {
  test('lists exactly the keys of values.yaml, walked both ways', () => {
    assert.deepEqual(drift(values, schema), []);
  });

  test('the walk catches a key missing on either side', () => {
    assert.deepEqual(drift({ a: 1, b: { c: 2 } }, { properties: { a: {}, b: { properties: {}, additionalProperties: false } }, additionalProperties: false }), [
      'b.c: in values.yaml, not in values.schema.json',
    ]);
    assert.deepEqual(drift({ a: 1 }, { properties: { a: {}, z: {} }, additionalProperties: false }), ['z: in values.schema.json, not in values.yaml']);
  });

  test('every leaf of values.yaml is typed in the schema', () => {
    const untyped: string[] = [];
    const walk = (node: Schema, p: string) => {
      if (node.type === undefined) untyped.push(p);
      for (const [k, child] of Object.entries(node.properties ?? {})) walk(child, p ? `${p}.${k}` : k);
    };
    walk(schema, '');
    assert.deepEqual(untyped, []);
  });
});

describe('values.yaml comments and README', () => {
  test('every key carries a comment', () => {
    assert.deepEqual(collect(valuesText).undocumented, []);
  });

  test('comment parsing: sections, leaves, list items and block scalars are told apart', () => {
    const text = [
      '# file header',
      '',
      '# section doc',
      'a:',
      '  # leaf doc',
      '  # continues',
      '  b: 1',
      '  list:',
      '    - name: x',
      '      # not a key of the values tree',
      '      inner: 2',
      '  c: |',
      '    not: a key',
      'd: 3',
    ].join('\n');
    const comments = keyComments(text);
    assert.equal(comments.get('a'), 'section doc');
    assert.equal(comments.get('a.b'), 'leaf doc continues');
    assert.equal(comments.has('a.list.name'), false);
    assert.equal(comments.has('a.list.inner'), false);
    assert.equal(comments.has('a.c.not'), false);
    assert.deepEqual(collect(text).undocumented, ['a.list', 'a.c', 'd']);
  });

  test('the README table is what scripts/chart-docs.ts generates (--check passes)', () => {
    const r = spawnSync(join(REPO, 'node_modules', '.bin', 'node'), [join(REPO, 'scripts', 'chart-docs.ts'), '--check'], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const readme = readFileSync(join(CHART, 'README.md'), 'utf8');
    assert.equal(updateReadme(readme, renderTable(collect(valuesText).rows)), readme);
    assert.ok(readme.includes(START) && readme.includes(END));
    for (const key of ['mode', 'tls.mode', 'webhook.failurePolicy.enforce', 'resources']) assert.ok(readme.includes(`| \`${key}\` |`), key);
  });

  test('--check exits 1 on a stale table and on an uncommented key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'meshguard-chart-docs-'));
    try {
      cpSync(CHART, dir, { recursive: true });
      const run = () => spawnSync(join(REPO, 'node_modules', '.bin', 'node'), [join(REPO, 'scripts', 'chart-docs.ts'), '--check', '--chart', dir], { encoding: 'utf8' });
      assert.equal(run().status, 0);
      const v = join(dir, 'values.yaml');
      writeFileSync(v, valuesText.replace('replicaCount: 2', 'replicaCount: 3'));
      const stale = run();
      assert.equal(stale.status, 1);
      assert.match(stale.stderr, /out of date/);
      writeFileSync(v, `${valuesText}\nundocumentedKey: true\n`);
      const bare = run();
      assert.equal(bare.status, 1);
      assert.match(bare.stderr, /undocumentedKey/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
