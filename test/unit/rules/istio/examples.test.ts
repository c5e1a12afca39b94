import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import * as istio from '../../../../src/rules/istio/index.ts';
import { checkDocuments, EXAMPLES, loadDocuments, registry } from './helpers.ts';

const valid = readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml')).sort();
const brokenDir = new URL('broken/', EXAMPLES);
const broken = readdirSync(brokenDir).filter((f) => f.endsWith('.yaml')).sort();

const familyRules = new Map<string, string>(); // id → severity
for (const k of istio.kinds) for (const r of [...k.defaulters, ...k.validators]) familyRules.set(r.id, r.severity);
for (const r of istio.inventoryRules) familyRules.set(r.id, r.severity);

describe('examples/istio: the seed documents as they should be', () => {
  test('the seed examples are all there', () => {
    for (const f of ['seed-003-reviews-failover.yaml', 'seed-003-reviews-distribute.yaml', 'seed-001-expose-services-gateway.yaml', 'seed-001-eastwest-istiooperator.yaml']) {
      assert.ok(valid.includes(f), f);
    }
  });
  for (const file of valid) {
    test(`${file}: no error and no warning, with defaults on and off`, () => {
      const { docs } = loadDocuments(new URL(file, EXAMPLES));
      assert.ok(docs.length > 0);
      for (const doc of docs) assert.ok(registry.forObject(doc) || doc.kind === 'MeshTopology', `${doc.kind} is served`);
      for (const defaults of [true, false]) {
        const findings = checkDocuments(docs, { defaults }).filter((f) => f.severity !== 'info');
        assert.deepEqual(findings, [], `defaults ${defaults}`);
      }
    });
  }
  test('the seed 003 DestinationRules are checked against the seed 003 topology (topology rules ran)', () => {
    const topo = loadDocuments(new URL('seed-003-topology.yaml', EXAMPLES)).docs;
    for (const file of ['seed-003-reviews-failover.yaml', 'seed-003-reviews-distribute.yaml']) {
      const findings = checkDocuments([...topo, ...loadDocuments(new URL(file, EXAMPLES)).docs]);
      assert.deepEqual(findings.filter((f) => f.rule.startsWith('istio-dr/') && f.severity === 'info'), [], 'no rule skipped for lack of a topology');
      assert.deepEqual(findings.filter((f) => f.severity !== 'info'), []);
    }
  });
});

describe('examples/istio/broken: one variant per rule', () => {
  for (const file of broken) {
    test(`${file} yields the rule it names`, () => {
      const { text, docs } = loadDocuments(new URL(file, brokenDir));
      const m = /^# breaks: (\S+)$/m.exec(text);
      assert.ok(m, 'a leading # breaks: <rule-id> comment');
      assert.ok(text.startsWith('# breaks: '), 'the comment leads the file');
      const rule = m[1]!;
      assert.ok(familyRules.has(rule), `${rule} is a rule of this family`);
      const defaults = !/^# check: --no-defaults$/m.test(text);
      const findings = checkDocuments(docs, { defaults });
      const hits = findings.filter((f) => f.rule === rule);
      assert.ok(hits.length > 0, `expected ${rule}, got ${JSON.stringify(findings.filter((f) => f.severity !== 'info'))}`);
      assert.ok(hits.every((f) => f.severity === familyRules.get(rule)), 'reported with the rule severity (not skipped)');
      assert.equal(file.replace(/(-configmap)?\.yaml$/, ''), rule.split('/')[1], 'file named after the rule');
    });
  }
  test('every rule of the family has a broken variant', () => {
    const named = new Set(broken.map((f) => f.replace(/(-configmap)?\.yaml$/, '')));
    const missing = [...familyRules.keys()].filter((id) => !named.has(id.split('/')[1]!));
    assert.deepEqual(missing, []);
  });
});
