import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, test } from 'node:test';

const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname;
const fixtures = new URL('../../fixtures/cli/', import.meta.url).pathname;

function cli(args: string[], input?: string, env: Record<string, string> = {}) {
  const base = { ...process.env };
  delete base.FORCE_COLOR; // the test runner may set it; colour must come only from a TTY
  const r = spawnSync(process.execPath, [main, ...args], { cwd: fixtures, input, encoding: 'utf8', env: { ...base, ...env } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('meshguard check', () => {
  test('exit 1 with error findings; --output json has exactly the documented shape', () => {
    const r = cli(['check', 'bad-pvl.yaml', '--output', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(out), ['findings', 'summary']);
    assert.deepEqual(Object.keys(out.summary), ['resources', 'errors', 'warnings']);
    const f = out.findings.find((x: { rule: string }) => x.rule === 'asm-pvl/name-must-be-default');
    assert.deepEqual(Object.keys(f), ['file', 'index', 'apiVersion', 'kind', 'namespace', 'name', 'rule', 'severity', 'path', 'message']);
    assert.deepEqual(
      { file: f.file, index: f.index, apiVersion: f.apiVersion, kind: f.kind, namespace: f.namespace, name: f.name, severity: f.severity, path: f.path },
      { file: 'bad-pvl.yaml', index: 0, apiVersion: 'istio.alibabacloud.com/v1beta1', kind: 'ASMPvlConfig', namespace: 'istio-system', name: 'pvl', severity: 'error', path: '/metadata/name' },
    );
    assert.equal(out.summary.resources, 1);
    assert.equal(out.summary.errors, out.findings.filter((x: { severity: string }) => x.severity === 'error').length);
  });

  test('folders are walked recursively (yaml, yml, json; List expanded); unserved kinds are not counted', () => {
    const r = cli(['check', 'dir', '-o', 'json']);
    const out = JSON.parse(r.stdout);
    assert.equal(out.summary.resources, 2, r.stdout);
    const files = new Set(out.findings.map((x: { file: string }) => x.file));
    assert.ok(files.has('dir/list.json'));
    const listPvl = out.findings.find((x: { name: string; rule: string }) => x.name === 'other' && x.rule === 'asm-pvl/name-must-be-default');
    assert.ok(listPvl);
    assert.equal(r.code, 1);
  });

  test('stdin with - and exit 0 when clean', () => {
    const peer = 'apiVersion: federation.maistra.io/v1\nkind: ServiceMeshPeer\nmetadata: {name: green-mesh, namespace: red-mesh-system}\nspec: {remote: {addresses: [a.example.com], discoveryPort: 8188, servicePort: 15443}}\n';
    const r = cli(['check', '-', '-o', 'json'], peer);
    const out = JSON.parse(r.stdout);
    assert.equal(out.summary.errors, 0, r.stdout);
    assert.equal(r.code, 0);
    assert.ok(out.findings.every((x: { file: string }) => x.file === '<stdin>'));
  });

  test('defaulted fields are reported as warnings; --no-defaults validates as written', () => {
    const peer = 'apiVersion: federation.maistra.io/v1\nkind: ServiceMeshPeer\nmetadata: {name: green-mesh, namespace: red-mesh-system}\nspec: {remote: {addresses: [a.example.com]}}\n';
    const withDefaults = JSON.parse(cli(['check', '-', '-o', 'json'], peer).stdout);
    assert.ok(withDefaults.findings.some((x: { rule: string; severity: string; message: string }) => x.severity === 'warning' && x.message.startsWith('set spec.remote.discoveryPort=8188')));
    const asWritten = JSON.parse(cli(['check', '-', '-o', 'json', '--no-defaults'], peer).stdout);
    assert.ok(!asWritten.findings.some((x: { message: string }) => x.message.startsWith('set ')));
  });

  test('unparseable YAML → exit 2 with file:line:col and the reason', () => {
    const r = cli(['check', 'broken.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^meshguard: broken\.yaml:\d+:\d+: .+/);
  });

  test('an unreadable path → exit 2 naming it', () => {
    const r = cli(['check', 'does-not-exist.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /does-not-exist\.yaml: cannot read: no such file or directory/);
  });

  test('usage errors → exit 2', () => {
    assert.equal(cli(['check', 'bad-pvl.yaml', '--output', 'xml']).code, 2);
    assert.equal(cli(['frobnicate']).code, 2);
  });

  test('text output: no colour when stdout is not a TTY, even without NO_COLOR', () => {
    assert.doesNotMatch(cli(['check', 'bad-pvl.yaml']).stdout, /\u001b\[/);
  });

  test('text output: no colour when NO_COLOR is set', () => {
    const r = cli(['check', 'bad-pvl.yaml'], undefined, { NO_COLOR: '1' });
    assert.equal(r.code, 1);
    assert.doesNotMatch(r.stdout, /\u001b\[/);
    assert.match(r.stdout, /bad-pvl\.yaml:1: error ASMPvlConfig istio-system\/pvl: \[asm-pvl\/name-must-be-default\]/);
    assert.match(r.stdout, /fix: set metadata\.name: default/);
    assert.match(r.stdout, /1 resources checked: \d+ errors, \d+ warnings/);
  });
});

describe('meshguard defaults', () => {
  test('prints the stored form: defaults added, user values and unknown fields kept', () => {
    const peer = 'apiVersion: federation.maistra.io/v1\nkind: ServiceMeshPeer\nmetadata: {name: green-mesh, namespace: red-mesh-system}\nspec: {custom: {x: 1}, remote: {addresses: [a.example.com], servicePort: 9443}}\n';
    const r = cli(['defaults', '-'], peer);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /discoveryPort: 8188/);
    assert.match(r.stdout, /servicePort: 9443/);
    assert.match(r.stdout, /custom:\n\s+x: 1/);
  });
});
