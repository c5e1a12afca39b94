// Real istio.alibabacloud.com manifests from the shared corpus (read at test time, never copied): the
// kinds meshguard serves pass with defaults on; the kinds it does not serve pass through untouched.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { defaultContext } from '../../../../src/engine/context.ts';
import { evaluate } from '../../../../src/engine/evaluate.ts';
import { evaluateInventory } from '../../../../src/engine/inventory.ts';
import type { KObject } from '../../../../src/engine/types.ts';
import { buildRegistry } from '../../../../src/rules/index.ts';
import { CORPUS } from './helpers.ts';

const registry = buildRegistry();
const ASM_GROUP = 'istio.alibabacloud.com';

function asmCorpus(): Array<{ file: string; text: string; docs: KObject[] }> {
  assert.ok(existsSync(CORPUS), `corpus at ${CORPUS}`);
  return readdirSync(CORPUS)
    .filter((f) => /^(istiogateway|asm)[a-z]*-/.test(f) && f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = readFileSync(`${CORPUS}${file}`, 'utf8');
      const docs = text.includes('{{') ? [] : parseAllDocuments(text).map((d) => d.toJS() as KObject);
      return { file, text, docs };
    });
}

test('the corpus holds the ASM manifests this family expects', () => {
  const files = asmCorpus().map((c) => c.file);
  assert.ok(files.includes('istiogateway-asmlabs-1.yaml') && files.includes('istiogateway-aliyunsdk-1.yaml'));
  assert.ok(files.some((f) => f.startsWith('asmlocalratelimiter-')) && files.some((f) => f.startsWith('asmswimlane-')));
  assert.ok(!files.some((f) => f.startsWith('asmpvlconfig-')), 'the corpus README says no public ASMPvlConfig exists; a new one needs a test here');
});

test('every corpus IstioGateway passes with defaults on: no error findings', () => {
  let gateways = 0;
  for (const { file, docs } of asmCorpus()) {
    for (const doc of docs) {
      if (doc.kind !== 'IstioGateway') continue;
      gateways++;
      const r = evaluate(registry, doc, defaultContext({ namespace: doc.metadata?.namespace ?? '' }), { defaults: true, validate: true });
      assert.equal(r.known, true, `${file} is served (apiVersion ${doc.apiVersion})`);
      assert.deepEqual(r.findings.filter((f) => f.severity === 'error'), [], file);
      assert.deepEqual(r.failures, [], file);
      // nothing the authors wrote is touched; unknown knobs (kernel, sds, secretVolumes …) survive
      assert.ok(r.patch.every((op) => op.op === 'add'), file);
    }
  }
  assert.equal(gateways, 2);
});

test('corpus IstioGateways get only the defaults they lack (rollout settings), nothing they set', () => {
  for (const { file, docs } of asmCorpus()) {
    for (const doc of docs.filter((d) => d.kind === 'IstioGateway')) {
      const r = evaluate(registry, doc, defaultContext({ namespace: 'istio-system' }), { defaults: true, validate: true });
      const spec = doc.spec as Record<string, unknown>;
      for (const op of r.patch) assert.equal(spec[op.path.split('/')[2]!], undefined, `${file}: ${op.path} was already set`);
      assert.ok(r.patch.some((op) => op.path === '/spec/rollingMaxSurge'), file);
    }
  }
});

test('ASM kinds meshguard has no rules for are not served, and evaluating them breaks nothing', () => {
  const others = asmCorpus().flatMap((c) => c.docs.filter((d) => d.kind !== 'IstioGateway').map((doc) => ({ file: c.file, doc })));
  assert.ok(others.length >= 7, `found ${others.length}`);
  for (const { file, doc } of others) {
    const r = evaluate(registry, doc, defaultContext({ namespace: doc.metadata?.namespace ?? '' }), { defaults: true, validate: true });
    assert.equal(r.known, false, file);
    assert.deepEqual(r.findings, [], file);
    assert.deepEqual(r.patch, [], file);
  }
  // all of them at once, the CLI/audit way, next to the gateways
  const all = asmCorpus().flatMap((c) => c.docs);
  const result = evaluateInventory(registry, all.map((o) => ({ meta: o.kind, object: o })), (o) => defaultContext({ namespace: o.metadata?.namespace ?? '' }), { defaults: true, validate: true });
  assert.deepEqual(result.failures, []);
  assert.deepEqual(result.items.flatMap((i) => i.evaluation.findings).filter((f) => f.severity === 'error'), []);
  // the Helm-templated ASMCircuitBreaker is not parseable; its kind is not served either way
  for (const kind of ['ASMCircuitBreaker', 'ASMLocalRateLimiter', 'ASMSwimLaneGroup', 'ASMSwimLane', 'ASMGlobalRateLimiter']) {
    for (const version of ['v1', 'v1beta1']) assert.equal(registry.find(ASM_GROUP, version, kind), undefined, `${kind} ${version}`);
  }
});

test('peer-validity-cases.md records no upstream verdict for ASM kinds (else this family must assert agreement)', () => {
  const text = readFileSync(`${CORPUS}../peer-validity-cases.md`, 'utf8');
  const section = text.slice(text.indexOf('## istio.alibabacloud.com'));
  assert.ok(section.startsWith('## istio.alibabacloud.com'));
  const body = section.slice(section.indexOf('\n'), (section.indexOf('\n## ', 1) + 1 || section.length + 1) - 1);
  assert.ok(!/^\|/m.test(body), 'a verdict table appeared in the ASM section: add agreement assertions');
});
