import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildRegistry } from '../../../src/rules/index.ts';
import { renderRulesDoc } from '../../../scripts/rules-doc.ts';

test('docs/rules.md is generated from the registry and current (run `npm run docs` after changing rules)', () => {
  assert.equal(readFileSync(new URL('../../../docs/rules.md', import.meta.url), 'utf8'), renderRulesDoc());
});

test('every rule ID is family/kebab-name and has a summary and a source', () => {
  for (const r of buildRegistry().allRules()) {
    assert.match(r.id, /^[a-z0-9]+(-[a-z0-9]+)*\/[a-z0-9]+(-[a-z0-9]+)*$/, r.id);
    assert.ok(r.summary.length > 10, `${r.id} summary`);
    assert.ok(r.source.length > 0, `${r.id} source`);
  }
});
