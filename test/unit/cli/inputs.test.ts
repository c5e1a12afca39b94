// `check` reads manifests with js-yaml for speed and falls back to `yaml` for anything unusual. The two
// must agree: same documents, same indexes, same values, over every manifest we have and over generated
// YAML. A disagreement would make `check` judge a different object than the one `kubectl apply` sends.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { InputError, parseCarefully, parseManifests } from '../../../src/cli/inputs.ts';

const repo = new URL('../../../', import.meta.url).pathname;
const corpus = new URL('../../../../shared/corpus/manifests/', import.meta.url).pathname;

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...yamlFiles(full));
    else if (['.yaml', '.yml'].includes(extname(name))) out.push(full);
  }
  return out;
}

/** Both readers' answer for a text: the documents, or the error message. */
function both(text: string): { fast: unknown; careful: unknown } {
  const run = (f: () => unknown) => {
    try {
      return f();
    } catch (err) {
      assert.ok(err instanceof InputError, `not an InputError: ${String(err)}`);
      return { error: err.message };
    }
  };
  return { fast: run(() => parseManifests(text, 'f.yaml')), careful: run(() => parseCarefully(text, 'f.yaml')) };
}

describe('manifest reading: the fast path agrees with yaml', () => {
  const files = [...yamlFiles(join(repo, 'examples')), ...yamlFiles(join(repo, 'test/fixtures')), ...yamlFiles(corpus)].filter(
    (f) => !readFileSync(f, 'utf8').includes('{{'),
  );

  test(`every example, fixture and corpus manifest (${files.length} files) reads the same`, () => {
    assert.ok(files.length > 100, `expected the corpus next to the repository, found ${files.length} files`);
    let docs = 0;
    for (const file of files) {
      const { fast, careful } = both(readFileSync(file, 'utf8'));
      assert.deepStrictEqual(fast, careful, file);
      if (Array.isArray(fast)) docs += fast.length;
    }
    assert.ok(docs > 200, `only ${docs} documents read`);
  });

  test('what the fast path hands over keeps yaml’s positioned errors and limits', () => {
    const cases: Array<[string, RegExp]> = [
      ['a: 1\na: 2\n', /^f\.yaml:\d+:\d+: Map keys must be unique/], // duplicate key
      ['kind: [unclosed\n', /^f\.yaml:\d+:\d+: /],
      ['- 1\n- 2\n', /^f\.yaml:1:1: document 1 is not a Kubernetes object/],
      ['kind: A\n---\nplain scalar\n', /^f\.yaml:3:1: document 2 is not a Kubernetes object/],
      // Billion laughs: yaml's alias cap refuses it; js-yaml is never asked to expand aliases.
      [`a: &a [x, x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`).join('\n')}\n`, /alias/i],
    ];
    for (const [text, expected] of cases) {
      assert.throws(() => parseManifests(text, 'f.yaml'), (err: unknown) => err instanceof InputError && expected.test(err.message), text);
    }
  });

  test('anchors and aliases within the cap, deep nesting, trailing and empty documents read the same', () => {
    const texts = [
      'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: &l {x: "1"}}\ndata: *l\n',
      `apiVersion: v1\nkind: X\nspec: ${'{a: '.repeat(150)}1${'}'.repeat(150)}\n`,
      '---\nkind: A\n---\n---\nkind: B\n---\n',
      '',
      '# only a comment\n',
      'kind: List\napiVersion: v1\nitems: [{kind: A}, 3, {kind: B}]\n',
      'a: 2026-11-23\nb: 0x1F\nc: 0o17\nd: .inf\ne: ~\nf: "yes"\ng: yes\nh: 1_000\ni: <<\n"<<": {x: 1}\nj: !!str 5\n',
    ];
    for (const t of texts) {
      const { fast, careful } = both(t);
      assert.deepStrictEqual(fast, careful, t);
    }
  });

  test('generated objects written as YAML read the same (fast-check, 2,000 cases)', () => {
    const key = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('<<', 'y', 'on', 'null', '~', '1e3', '0x10', '-', '? a'));
    const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double({ noNaN: true }), fc.boolean(), fc.constant(null), fc.constantFrom('2026-11-23', 'yes', 'no', '0o17', '.nan', '1_000', '=', '<<'));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 4 })),
    }));
    const doc = fc.dictionary(key, value, { minKeys: 1, maxKeys: 6 });
    fc.assert(
      fc.property(fc.array(doc, { minLength: 1, maxLength: 3 }), fc.constantFrom<'block' | 'flow'>('block', 'flow'), (objs, style) => {
        const text = objs.map((o) => stringify(o, style === 'flow' ? { collectionStyle: 'flow' } : {})).join('---\n');
        const { fast, careful } = both(text);
        assert.deepStrictEqual(fast, careful, text);
      }),
      { numRuns: 2000, seed: 20261123 },
    );
  });
});
