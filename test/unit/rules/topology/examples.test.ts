// Every example: seed 003's plan passes on every front; each broken variant yields the rule it names.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { evaluate } from '../../../../src/engine/evaluate.ts';
import { defaultContext } from '../../../../src/engine/context.ts';
import { buildTopology } from '../../../../src/topology/index.ts';
import { EXAMPLES, checkAll, readDocs, topologyRegistry } from './helpers.ts';

const yamlIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

test('valid examples yield no error or warning findings (CLI: inputs + inventory; admission: alone)', () => {
  const files = yamlIn(EXAMPLES);
  assert.ok(files.includes('seed-003-plan.yaml'));
  for (const file of files) {
    const docs = readDocs(`${EXAMPLES}${file}`);
    for (const { name, findings } of checkAll(docs)) {
      assert.deepEqual(findings.filter((f) => f.severity !== 'info'), [], `${file} ${name}`);
    }
    for (const doc of docs) {
      const alone = evaluate(topologyRegistry(), doc, defaultContext({ topology: buildTopology([doc]).view }), { defaults: true, validate: true });
      assert.equal(alone.known, true);
      assert.deepEqual(alone.findings.filter((f) => f.severity !== 'info'), [], `${file} at admission`);
    }
  }
});

test('each broken example yields the rule in its `# breaks:` line, and every rule has one', () => {
  const dir = `${EXAMPLES}broken/`;
  const registry = topologyRegistry();
  const covered = new Set<string>();
  for (const file of yamlIn(dir)) {
    const text = readFileSync(`${dir}${file}`, 'utf8');
    const rule = /^# breaks: (\S+)/.exec(text)?.[1];
    assert.ok(rule, `${file} starts with "# breaks: <rule-id>"`);
    assert.equal(`topology/${file.replace(/\.yaml$/, '')}`, rule, 'file named after its rule');
    const meta = registry.allRules().find((r) => r.id === rule);
    assert.ok(meta, `${rule} is a registered rule`);
    const findings = checkAll(readDocs(`${dir}${file}`)).flatMap((r) => r.findings);
    const hits = findings.filter((f) => f.rule === rule);
    assert.ok(hits.length > 0, `${file} yields ${rule}; got ${JSON.stringify(findings)}`);
    for (const h of hits) assert.equal(h.severity, meta.severity);
    // A broken example breaks one thing.
    assert.deepEqual(
      findings.filter((f) => f.rule !== rule && f.severity !== 'info').map((f) => `${f.rule}: ${f.message}`),
      [],
      `${file} breaks only ${rule}`,
    );
    covered.add(rule);
  }
  const all = registry.allRules().map((r) => r.id);
  assert.deepEqual(all.filter((id) => !covered.has(id)), [], 'every topology rule has a broken example');
});
