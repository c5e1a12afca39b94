import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCheck } from '../../src/cli/check.ts';
import { buildRegistry } from '../../src/rules/index.ts';

const root = fileURLToPath(new URL('../../examples/', import.meta.url));
const noStdin = async () => '';

test('all valid examples of every family, checked together, raise no error (their topologies merge cleanly)', async () => {
  const files = readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => readdirSync(`${root}${d.name}`).filter((f) => /\.ya?ml$/.test(f)).map((f) => `${root}${d.name}/${f}`));
  assert.ok(files.length >= 15, `found ${files.length} example files`);
  const report = (await runCheck(buildRegistry(), files, { defaults: true }, noStdin)).json();
  const errors = report.findings.filter((f) => f.severity === 'error');
  assert.deepEqual(errors.map((f) => `${f.file}: [${f.rule}] ${f.message}`), []);
  assert.ok(report.summary.resources >= 20);
});
