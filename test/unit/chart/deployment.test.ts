// The Deployment's contract with the server (src/cli/main.ts reads MESHGUARD_* env vars) and its
// availability settings: replicas, PDB, spread, probes, volumes, shutdown timing.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parse } from 'yaml';
import { CHART, helm, one, ofKind, render, REPO, scenarioFile, type K8sObject } from './helm.ts';
import { envOf, podSpec, type Container } from './model.ts';

function container(objects: K8sObject[]): Container {
  const c = podSpec(objects).containers;
  assert.equal(c.length, 1);
  return c[0] as Container;
}

describe('server container', () => {
  const objects = render();
  const c = container(objects);

  test('runs `node dist/src/cli/main.js serve` through the image entrypoint (exec form, no shell, no npm)', () => {
    assert.equal(c.command, undefined, 'the image ENTRYPOINT (node) is kept');
    assert.deepEqual(c.args, ['dist/src/cli/main.js', 'serve']);
    assert.equal(c.image, 'ghcr.io/meshguard/meshguard:0.1.0');
    const pinned = container(render({ set: { 'image.digest': `sha256:${'a'.repeat(64)}` } }));
    assert.equal(pinned.image, `ghcr.io/meshguard/meshguard:0.1.0@sha256:${'a'.repeat(64)}`);
  });

  test('environment: TLS files, ports, mode, config, audit, lease', () => {
    assert.deepEqual(envOf(c), {
      MESHGUARD_TLS_CERT: '/tls/tls.crt',
      MESHGUARD_TLS_KEY: '/tls/tls.key',
      MESHGUARD_PORT: '8443',
      MESHGUARD_HEALTH_PORT: '8080',
      MESHGUARD_MODE: 'enforce',
      MESHGUARD_CONFIG: '/etc/meshguard/config.yaml',
      MESHGUARD_AUDIT_INTERVAL: '10m',
      MESHGUARD_AUDIT_REPORTS: 'true',
      MESHGUARD_LEASE_NAMESPACE: 'meshguard-system',
      MESHGUARD_LEASE_NAME: 'mg-meshguard-audit',
      MESHGUARD_EVENTS: 'false',
    });
    const audit = envOf(container(render({ scenarios: ['minimal-single-replica'], set: { mode: 'audit' } })));
    assert.equal(audit.MESHGUARD_MODE, 'audit');
    assert.equal(audit.MESHGUARD_AUDIT_INTERVAL, '0');
    assert.equal(audit.MESHGUARD_AUDIT_REPORTS, 'false');
  });

  test('every MESHGUARD_* variable the chart sets names a `meshguard serve` option', () => {
    const cli = readFileSync(join(REPO, 'src', 'cli', 'main.ts'), 'utf8');
    for (const name of Object.keys(envOf(c))) {
      const suffix = name.replace(/^MESHGUARD_/, '');
      assert.ok(cli.includes(`'${suffix}'`), `${name}: src/cli/main.ts declares no option read from it`);
    }
  });

  test('ports, probes and the Lease name agree with the Role', () => {
    assert.deepEqual(c.ports?.map((p) => [p.name, p.containerPort]), [['https', 8443], ['health', 8080]]);
    assert.deepEqual(c.livenessProbe?.httpGet, { path: '/healthz', port: 'health' });
    assert.deepEqual(c.readinessProbe?.httpGet, { path: '/readyz', port: 'health' });
    const role = ofKind(objects, 'Role')[0] as K8sObject & { rules: Array<{ resourceNames?: string[] }> };
    assert.ok(role.rules.some((r) => r.resourceNames?.includes(envOf(c).MESHGUARD_LEASE_NAME as string)));
  });

  test('TLS Secret and config mounted as directories (no subPath), so updates reach the running server', () => {
    const mounts = Object.fromEntries((c.volumeMounts ?? []).map((m) => [m.mountPath, m]));
    assert.equal(mounts['/tls']?.readOnly, true);
    assert.equal(mounts['/etc/meshguard']?.readOnly, true);
    for (const m of c.volumeMounts ?? []) assert.ok(!('subPath' in m), `${m.mountPath} uses subPath`);
    const cm = one(objects, 'ConfigMap') as K8sObject & { data: Record<string, string> };
    assert.equal(podSpec(objects).volumes?.find((v) => v.name === 'config')?.configMap?.name, cm.metadata.name);
    assert.deepEqual(parse(cm.data['config.yaml'] ?? ''), { rules: {}, explainMutations: true, maxWarnings: 10 });
  });

  test('config.rules overrides land in the ConfigMap', () => {
    const cm = one(render({ set: { 'config.rules.asm-pvl/name-must-be-default': 'warning' } }), 'ConfigMap') as K8sObject & { data: Record<string, string> };
    assert.deepEqual(parse(cm.data['config.yaml'] ?? '').rules, { 'asm-pvl/name-must-be-default': 'warning' });
  });

  test('resources: requests 50m/128Mi, memory limit 256Mi, no CPU limit', () => {
    assert.deepEqual(c.resources, { requests: { cpu: '50m', memory: '128Mi' }, limits: { memory: '256Mi' } });
  });

  test('shutdown: preStop pause (1.30+) plus the server drain fit in the grace period', () => {
    const pod = podSpec(objects);
    const pause = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
    assert.equal(pause, 5);
    const SERVER_DRAIN = 20; // src/server/serve.ts shutdownGraceSeconds default
    assert.ok((pod.terminationGracePeriodSeconds ?? 30) > pause + SERVER_DRAIN);
    assert.equal(container(render({ kubeVersion: '1.29.5' })).lifecycle, undefined, 'no sleep action before 1.30');
  });
});

describe('availability', () => {
  test('2 replicas, PDB minAvailable 1, spread over nodes and zones, surge before unavailability', () => {
    const objects = render();
    const d = one(objects, 'Deployment') as K8sObject & { spec: { replicas: number; strategy: { rollingUpdate: { maxUnavailable: number } } } };
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.spec.strategy.rollingUpdate.maxUnavailable, 0);
    const pdb = one(objects, 'PodDisruptionBudget') as K8sObject & { spec: { minAvailable: number; selector: { matchLabels: Record<string, string> } } };
    assert.equal(pdb.spec.minAvailable, 1);
    assert.deepEqual(podSpec(objects).topologySpreadConstraints?.map((t) => t.topologyKey), ['kubernetes.io/hostname', 'topology.kubernetes.io/zone']);
    const podLabels = (d.spec as unknown as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels;
    for (const [k, v] of Object.entries(pdb.spec.selector.matchLabels)) assert.equal(podLabels[k], v, 'PDB selects the pods');
  });

  test('one replica: no PDB (it would block every drain), no spread when disabled', () => {
    const objects = render({ scenarios: ['minimal-single-replica'] });
    assert.deepEqual(ofKind(objects, 'PodDisruptionBudget'), []);
    assert.equal(podSpec(objects).topologySpreadConstraints, undefined);
  });

  test('priorityClassName and affinity are optional and passed through', () => {
    assert.equal(podSpec(render()).priorityClassName, undefined);
    const objects = render({ set: { priorityClassName: 'system-cluster-critical', 'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].key': 'pool', 'affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator': 'Exists' } });
    const pod = podSpec(objects) as ReturnType<typeof podSpec> & { affinity?: unknown };
    assert.equal(pod.priorityClassName, 'system-cluster-critical');
    assert.ok(pod.affinity);
  });
});

describe('optional objects', () => {
  test('off by default: ServiceMonitor, NetworkPolicy, PolicyReport CRDs', () => {
    const objects = render();
    for (const kind of ['ServiceMonitor', 'NetworkPolicy', 'CustomResourceDefinition']) assert.deepEqual(ofKind(objects, kind), [], kind);
  });

  test('monitoring: ServiceMonitor scrapes /metrics on the metrics port; NetworkPolicy opens 8443, limits 8080, allows the API', () => {
    const objects = render({ scenarios: ['monitoring'] });
    const sm = one(objects, 'ServiceMonitor') as K8sObject & { spec: { endpoints: Array<{ port: string; path: string }> } };
    assert.deepEqual(sm.spec.endpoints.map((e) => [e.port, e.path]), [['metrics', '/metrics']]);
    assert.equal(sm.metadata.labels?.release, 'prometheus');
    const svc = one(objects, 'Service') as K8sObject & { spec: { ports: Array<{ name: string; targetPort: string }> } };
    assert.equal(svc.spec.ports.find((p) => p.name === 'metrics')?.targetPort, 'health');
    const np = one(objects, 'NetworkPolicy') as K8sObject & {
      spec: { ingress: Array<{ ports: Array<{ port: string }>; from?: unknown[] }>; egress: Array<{ ports: Array<{ port: number }>; to?: Array<{ ipBlock: { cidr: string } }> }> };
    };
    const https = np.spec.ingress.find((r) => r.ports.some((p) => p.port === 'https'));
    const health = np.spec.ingress.find((r) => r.ports.some((p) => p.port === 'health'));
    assert.equal(https?.from, undefined, '8443 open to every source (apiserver addresses vary)');
    assert.ok(health?.from && health.from.length > 0, '8080 only from the configured peers');
    assert.deepEqual(np.spec.egress[0]?.ports.map((p) => p.port), [443, 6443]);
    assert.deepEqual(np.spec.egress[0]?.to, [{ ipBlock: { cidr: '10.0.0.1/32' } }]);
  });

  test('policyReportCRDs.install: structural v1alpha2 PolicyReport (namespaced) and ClusterPolicyReport (cluster), kept on uninstall', () => {
    const crds = ofKind(render({ scenarios: ['audit-mode'] }), 'CustomResourceDefinition') as Array<K8sObject & { spec: Record<string, unknown> }>;
    const byName = Object.fromEntries(crds.map((c) => [c.metadata.name, c]));
    assert.deepEqual(Object.keys(byName).sort(), ['clusterpolicyreports.wgpolicyk8s.io', 'policyreports.wgpolicyk8s.io']);
    assert.equal(byName['policyreports.wgpolicyk8s.io']?.spec.scope, 'Namespaced');
    assert.equal(byName['clusterpolicyreports.wgpolicyk8s.io']?.spec.scope, 'Cluster');
    for (const crd of crds) {
      assert.equal(crd.metadata.annotations?.['helm.sh/resource-policy'], 'keep');
      const versions = crd.spec.versions as Array<{ name: string; storage: boolean; schema: { openAPIV3Schema: Record<string, unknown> } }>;
      assert.deepEqual(versions.map((v) => [v.name, v.storage]), [['v1alpha2', true]]);
      assertStructural(versions[0]?.schema.openAPIV3Schema, crd.metadata.name);
    }
  });
});

/** Structural schema (apiextensions v1): every node has a type, unless it preserves unknown fields. */
function assertStructural(node: unknown, where: string): void {
  assert.ok(node && typeof node === 'object', `${where}: not an object`);
  const n = node as Record<string, unknown>;
  assert.ok(typeof n.type === 'string' || n['x-kubernetes-preserve-unknown-fields'] === true, `${where}: no type`);
  for (const [k, child] of Object.entries((n.properties ?? {}) as Record<string, unknown>)) assertStructural(child, `${where}.${k}`);
  if (n.items) assertStructural(n.items, `${where}[]`);
  if (n.additionalProperties && typeof n.additionalProperties === 'object') assertStructural(n.additionalProperties, `${where}{}`);
}

test('NOTES.txt: how to verify, the active mode, and last the break-glass command matching the labelled configurations', () => {
  // Helm v4 renders NOTES in a client-only dry run (v3 insists on reaching a cluster first).
  for (const [scenario, mode] of [['default', 'enforce'], ['audit-mode', 'audit'], ['url', 'enforce']] as const) {
    const r = helm(4, ['install', 'mg', CHART, '--namespace', 'meshguard-system', '--dry-run=client', '--values', scenarioFile(scenario)]);
    assert.equal(r.status, 0, r.stderr);
    const notes = r.stdout.slice(r.stdout.indexOf('NOTES:')).trimEnd();
    assert.match(notes, new RegExp(`Active mode: ${mode}\\n`));
    assert.match(notes, /Verify the install:/);
    assert.match(notes, /kubectl apply --dry-run=server -f -/);
    assert.equal(notes.split('\n').pop()?.trim(), 'kubectl delete validatingwebhookconfiguration,mutatingwebhookconfiguration -l app.kubernetes.io/instance=mg');
    if (scenario !== 'url') assert.match(notes, /rollout status deployment\/mg-meshguard/);
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      assert.equal(one(render({ scenarios: [scenario] }), kind).metadata.labels?.['app.kubernetes.io/instance'], 'mg', `${kind} carries the label the command selects`);
    }
  }
});
