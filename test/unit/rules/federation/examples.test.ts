// Every example in examples/federation/ checked as `meshguard check <file>` would: valid examples yield
// no error finding; each broken example yields the rule named in its `# breaks:` comment, and no other error.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { applyPatch } from '../../../../src/engine/patch.ts';
import { checkDocuments, check, loadDocuments, registry } from './harness.ts';

const dir = new URL('../../../../examples/federation/', import.meta.url);
const brokenDir = new URL('broken/', dir);
const yamlIn = (d: URL) => readdirSync(d).filter((f) => f.endsWith('.yaml')).sort();

describe('examples/federation (valid)', () => {
  const files = yamlIn(dir);
  test('the seed 004 examples are there', () => {
    assert.ok(files.includes('seed-004-red-green.yaml'));
    assert.ok(files.includes('seed-004-red-green-blue.yaml'));
  });
  for (const file of files) {
    test(`${file}: no error findings, and defaults are stable`, () => {
      const docs = loadDocuments(new URL(file, dir));
      assert.ok(docs.length > 0);
      const errors = checkDocuments(docs).filter((f) => f.severity === 'error');
      assert.deepEqual(errors, []);
      for (const doc of docs) {
        const first = check(doc);
        assert.deepEqual(check(applyPatch(doc, first.patch)).patch, [], `second pass on ${doc.kind} ${doc.metadata?.name}`);
      }
    });
  }

  test('seed 004 three meshes: six peers, all with their counterpart, clientIDs from the topology', () => {
    const docs = loadDocuments(new URL('seed-004-red-green-blue.yaml', dir));
    assert.equal(docs.filter((d) => d.kind === 'ServiceMeshPeer').length, 6);
    const findings = checkDocuments(docs);
    assert.deepEqual(findings.filter((f) => f.rule.startsWith('federation/peer-reciprocal')), []);
    const clientIds = findings.filter((f) => f.rule === 'federation/default-client-id').map((f) => f.message);
    assert.equal(clientIds.length, 6);
    assert.ok(clientIds.some((m) => m.includes('"blue-mesh.local/ns/blue-mesh-system/sa/egress-red-mesh-service-account"')));
  });
});

describe('examples/federation/broken', () => {
  const files = yamlIn(brokenDir);
  const ruleIds = new Set(registry.allRules().map((r) => r.id));
  const covered = new Set<string>();
  for (const file of files) {
    const text = readFileSync(new URL(file, brokenDir), 'utf8');
    const rule = /^# breaks: (\S+)/m.exec(text)?.[1];
    test(`${file} breaks ${rule}`, () => {
      assert.ok(rule, 'leading "# breaks: <rule-id>" comment');
      assert.ok(ruleIds.has(rule), `${rule} is a registered rule`);
      assert.equal(file, `${rule.split('/')[1]}.yaml`, 'file named after the rule');
      covered.add(rule);
      const findings = checkDocuments(loadDocuments(new URL(file, brokenDir)));
      const hits = findings.filter((f) => f.rule === rule);
      assert.ok(hits.length > 0, `${rule} fires: ${JSON.stringify(findings.filter((f) => f.severity !== 'info'))}`);
      assert.ok(hits.every((f) => f.fix), 'every finding says what to write');
      const otherErrors = findings.filter((f) => f.severity === 'error' && f.rule !== rule);
      assert.deepEqual(otherErrors, [], 'no other error: the example breaks one thing');
    });
  }

  test('every federation validator and inventory rule that a file can show has a broken example', () => {
    // Defaulters never "break"; certificate-chain-configmap needs cluster lookups (no file can supply
    // them) and peer-reciprocal-unseen is an info, not a break. Both are covered by unit tests.
    const exempt = new Set(['federation/certificate-chain-configmap', 'federation/peer-reciprocal-unseen']);
    const kinds = registry.kinds.filter((k) => k.group === 'federation.maistra.io');
    const wanted = new Set([
      ...kinds.flatMap((k) => k.validators.map((v) => v.id)),
      ...registry.inventoryRules.filter((r) => r.id.startsWith('federation/')).map((r) => r.id),
    ]);
    const names = new Set(files.map((f) => `federation/${f.replace(/\.yaml$/, '')}`));
    const missing = [...wanted].filter((id) => !exempt.has(id) && !names.has(id));
    assert.deepEqual(missing, []);
  });
});
