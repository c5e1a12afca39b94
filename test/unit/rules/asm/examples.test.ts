// Every example in examples/asm/, evaluated the way `meshguard check --topology examples/asm/topology.yaml
// <file>` does (full registry, every MeshTopology merged, inventory rules on): valid ones yield no error,
// each broken one yields the rule its `# breaks:` line names, and nothing else but what `# also:` lists.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { defaultContext } from '../../../../src/engine/context.ts';
import { evaluate } from '../../../../src/engine/evaluate.ts';
import { evaluateInventory } from '../../../../src/engine/inventory.ts';
import { applyPatch } from '../../../../src/engine/patch.ts';
import type { Finding, KObject } from '../../../../src/engine/types.ts';
import { buildRegistry } from '../../../../src/rules/index.ts';
import { buildTopology, isMeshTopology } from '../../../../src/topology/index.ts';
import { asmRegistry, EXAMPLES, ROOT } from './helpers.ts';

const registry = buildRegistry();
const TOPOLOGY_FILE = `${EXAMPLES}topology.yaml`;
const SEED_003_PLAN = `${ROOT}examples/topology/seed-003-plan.yaml`;

function readDocs(file: string): KObject[] {
  return parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS() as KObject);
}
const yamlIn = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

/** CLI semantics: inputs plus the --topology file; the topology is every MeshTopology among them. */
function check(inputs: KObject[], extraTopology: KObject[] = readDocs(TOPOLOGY_FILE)) {
  const view = buildTopology([...extraTopology, ...inputs].filter((o) => isMeshTopology(o))).view;
  const result = evaluateInventory(
    registry,
    inputs.map((o) => ({ meta: `${o.kind}/${o.metadata?.name}`, object: o })),
    (o) => defaultContext({ namespace: o.metadata?.namespace ?? '', topology: view }),
    { defaults: true, validate: true },
  );
  assert.deepEqual(result.general.filter((f) => f.severity !== 'info'), []);
  assert.deepEqual(result.failures, []);
  return result.items;
}

const notInfo = (fs: Finding[]) => fs.filter((f) => f.severity !== 'info');

test('the valid examples yield no error (defaults are reported as warnings only)', () => {
  const files = yamlIn(EXAMPLES);
  assert.deepEqual(files, ['asmpvlconfig-zones-defaulted.yaml', 'asmpvlconfig.yaml', 'istiogateway-defaults.yaml', 'istiogateway.yaml', 'topology.yaml']);
  for (const file of files) {
    for (const item of check(readDocs(`${EXAMPLES}${file}`))) {
      assert.equal(item.evaluation.known, true, file);
      const findings = notInfo(item.evaluation.findings);
      assert.deepEqual(findings.filter((f) => f.severity === 'error'), [], `${file}: ${JSON.stringify(findings)}`);
      // Apart from the defaults the file's comment promises, nothing to warn about either.
      assert.deepEqual(findings.filter((f) => !/\/default-/.test(f.rule)), [], file);
    }
  }
});

test("seed 003's gateway and the corrected ASMPvlConfig need no default at all", () => {
  for (const file of ['istiogateway.yaml', 'asmpvlconfig.yaml']) {
    const [item] = check(readDocs(`${EXAMPLES}${file}`));
    assert.deepEqual(item!.evaluation.patch, [], file);
    assert.deepEqual(notInfo(item!.evaluation.findings), [], file);
  }
});

test('the minimal IstioGateway is stored with seed 003 defaults', () => {
  const [doc] = readDocs(`${EXAMPLES}istiogateway-defaults.yaml`);
  const [item] = check([doc!]);
  const stored = applyPatch(doc!, item!.evaluation.patch) as { spec: Record<string, unknown> };
  const seed = readDocs(`${EXAMPLES}istiogateway.yaml`)[0] as { spec: Record<string, unknown> };
  for (const field of ['gatewayType', 'ports', 'replicaCount', 'serviceType', 'rollingMaxSurge', 'rollingMaxUnavailable']) {
    assert.deepEqual(stored.spec[field], seed.spec[field], field);
  }
  assert.equal(stored.spec.externalTrafficPolicy, 'Cluster'); // seed 003 chose Local explicitly
  assert.equal(notInfo(item!.evaluation.findings).length, 7);
});

test('the ASMPvlConfig without zoneIds gets them from the topology; a second pass adds nothing', () => {
  const [doc] = readDocs(`${EXAMPLES}asmpvlconfig-zones-defaulted.yaml`);
  const [item] = check([doc!]);
  const stored = applyPatch(doc!, item!.evaluation.patch) as { spec: { ackVpcEndpoint: Array<{ vSwitches: Array<{ zoneId?: string }> }>; asmVpcEndpoint: { vSwitches: Array<{ zoneId?: string }> } } };
  assert.deepEqual(stored.spec.ackVpcEndpoint[0]!.vSwitches.map((v) => v.zoneId), ['cn-hangzhou-j', 'cn-hangzhou-k']);
  assert.deepEqual(stored.spec.asmVpcEndpoint.vSwitches.map((v) => v.zoneId), ['cn-hangzhou-j', 'cn-hangzhou-k']);
  const [again] = check([stored as unknown as KObject]);
  assert.deepEqual(again!.evaluation.patch, []);
  assert.deepEqual(notInfo(again!.evaluation.findings), []);
});

test('without a topology the corrected ASMPvlConfig still passes, and zoneIds are not guessed', () => {
  const ctx = defaultContext();
  const ok = evaluate(registry, readDocs(`${EXAMPLES}asmpvlconfig.yaml`)[0]!, ctx, { defaults: true, validate: true });
  assert.deepEqual(notInfo(ok.findings), []);
  const bare = evaluate(registry, readDocs(`${EXAMPLES}asmpvlconfig-zones-defaulted.yaml`)[0]!, ctx, { defaults: true, validate: true });
  assert.deepEqual(bare.patch, []);
  assert.equal(bare.findings.filter((f) => f.rule === 'asm-pvl/zone-id-required').length, 4);
});

test("topology.yaml agrees with seed 003's plan: merged, they conflict nowhere and pass the topology rules", () => {
  const plan = readDocs(SEED_003_PLAN);
  const mine = readDocs(TOPOLOGY_FILE);
  assert.deepEqual(buildTopology([...plan, ...mine]).findings, []);
  for (const item of check([...plan, ...mine], [])) assert.deepEqual(notInfo(item.evaluation.findings), [], item.meta);
  // the corrected example holds with the plan's facts merged in too
  for (const item of check(readDocs(`${EXAMPLES}asmpvlconfig.yaml`), [...plan, ...mine])) assert.deepEqual(notInfo(item.evaluation.findings), []);
});

test("the product page's example, as written, is rejected with the zone explanation", () => {
  const docs = readDocs(`${EXAMPLES}broken/product-page-example.yaml`);
  for (const topology of [[], readDocs(TOPOLOGY_FILE)]) {
    const [item] = check(docs, topology);
    const f = item!.evaluation.findings.find((x) => x.rule === 'asm-pvl/zones-cross-match');
    assert.ok(f);
    assert.equal(f.severity, 'error');
    assert.match(f.message, /cn-hangzhou-j .* cn-hangzhou-i: no zone in common/);
    assert.match(f.fix ?? '', /cn-hangzhou-j or cn-hangzhou-i/);
  }
  // with the topology, the zone that would work is named with its vSwitches
  const [withTopo] = check(docs);
  const real = withTopo!.evaluation.findings.find((x) => x.rule === 'asm-pvl/real-zones-intersect');
  assert.match(real?.fix ?? '', /cn-hangzhou-j \(ACK vsw-bp1jsgsanpvxpj32yai50, ASM vsw-bp1pvlasmzonej00001\)/);
});

test('each broken example yields the rule of its `# breaks:` line (and only what `# also:` adds), and every rule has one', () => {
  const dir = `${EXAMPLES}broken/`;
  const family = asmRegistry().allRules();
  const covered = new Set<string>();
  for (const file of yamlIn(dir)) {
    const text = readFileSync(`${dir}${file}`, 'utf8');
    const rule = /^# breaks: (\S+)/.exec(text)?.[1];
    assert.ok(rule, `${file} starts with "# breaks: <rule-id>"`);
    const also = (/^# also: (.+)$/m.exec(text)?.[1] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
    const meta = family.find((r) => r.id === rule);
    assert.ok(meta, `${rule} is an ASM rule`);
    if (file !== 'product-page-example.yaml') assert.equal(file, `${rule.split('/')[1]}.yaml`, 'file named after its rule');
    const findings = check(readDocs(`${dir}${file}`)).flatMap((i) => i.evaluation.findings);
    const hits = findings.filter((f) => f.rule === rule);
    assert.ok(hits.length > 0, `${file} yields ${rule}; got ${JSON.stringify(findings)}`);
    for (const h of hits) assert.equal(h.severity, meta.severity);
    const others = [...new Set(notInfo(findings).filter((f) => f.rule !== rule).map((f) => f.rule))].sort();
    assert.deepEqual(others, [...also].sort(), `${file}: other findings ${JSON.stringify(notInfo(findings).filter((f) => f.rule !== rule))}`);
    covered.add(rule);
  }
  const validators = family.filter((r) => !/\/default-/.test(r.id)).map((r) => r.id);
  assert.deepEqual(validators.filter((id) => !covered.has(id)), [], 'every ASM validator has a broken example');
});
