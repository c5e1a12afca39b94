// The chart's safety promises, asserted on what it renders for every ci/ scenario (issues 3 and 9):
// RBAC writes only PolicyReports, the Lease and Events; the pod is non-root, read-only, without
// capabilities; the webhooks never match the core group, pods or `*`; failurePolicy follows the
// mode; kube-system and the release namespace are never sent to the webhook.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ofKind, render, scenarios, type K8sObject } from './helm.ts';
import { allWebhooks, callees, namespaceLabels, podSpec, rbacRules, webhooks, type PolicyRule } from './model.ts';

const READ_VERBS = new Set(['get', 'list', 'watch']);
/** group/resource pairs the server may write, and nothing else. */
const WRITABLE = new Set(['wgpolicyk8s.io/policyreports', 'wgpolicyk8s.io/clusterpolicyreports', 'coordination.k8s.io/leases', '/events', 'events.k8s.io/events']);
/** Writes allowed per group/resource, and in which kind of role. */
const WRITE_SCOPE: Record<string, 'ClusterRole' | 'Role'> = {
  'wgpolicyk8s.io/policyreports': 'ClusterRole',
  'wgpolicyk8s.io/clusterpolicyreports': 'ClusterRole',
  'coordination.k8s.io/leases': 'Role',
  '/events': 'Role',
  'events.k8s.io/events': 'Role',
};

function grants(rules: readonly PolicyRule[]): Array<{ gr: string; verb: string; names?: string[] }> {
  return rules.flatMap((r) =>
    (r.apiGroups ?? []).flatMap((g) => (r.resources ?? []).flatMap((res) => r.verbs.map((verb) => ({ gr: `${g}/${res}`, verb, names: r.resourceNames })))),
  );
}

/** Every scenario, plus the variants that change RBAC or modes. */
const VARIANTS: Array<{ name: string; scenarios: string[]; set?: Record<string, string> }> = [
  ...scenarios().map((s) => ({ name: s, scenarios: [s] })),
  { name: 'events enabled', scenarios: [], set: { 'events.enabled': 'true' } },
  { name: 'mode=warn', scenarios: [], set: { mode: 'warn' } },
];

for (const v of VARIANTS) {
  describe(`security: ${v.name}`, () => {
    const objects = render({ scenarios: v.scenarios, ...(v.set ? { set: v.set } : {}) });

    test('RBAC: no wildcards, no secrets, no escalation verbs, no non-resource URLs', () => {
      for (const kind of ['ClusterRole', 'Role'] as const) {
        for (const r of rbacRules(objects, kind)) {
          assert.ok(!r.nonResourceURLs, `${kind} grants non-resource URLs`);
          for (const f of ['apiGroups', 'resources', 'verbs'] as const) assert.ok(!(r[f] ?? []).includes('*'), `${kind} has * in ${f}: ${JSON.stringify(r)}`);
          assert.ok(!(r.resources ?? []).includes('secrets'), `${kind} grants access to Secrets`);
          for (const verb of ['escalate', 'bind', 'impersonate', 'deletecollection']) assert.ok(!r.verbs.includes(verb), `${kind} grants ${verb}`);
        }
      }
    });

    test('RBAC: writes only on PolicyReports/ClusterPolicyReports, the Lease and Events', () => {
      for (const kind of ['ClusterRole', 'Role'] as const) {
        for (const g of grants(rbacRules(objects, kind))) {
          if (READ_VERBS.has(g.verb)) continue;
          assert.ok(WRITABLE.has(g.gr), `${kind} grants ${g.verb} on ${g.gr}`);
          assert.equal(WRITE_SCOPE[g.gr], kind, `${g.verb} on ${g.gr} belongs in a ${WRITE_SCOPE[g.gr]}, not a ${kind}`);
        }
      }
      const role = grants(rbacRules(objects, 'Role'));
      const leaseUpdate = role.filter((g) => g.gr === 'coordination.k8s.io/leases' && g.verb === 'update');
      assert.ok(leaseUpdate.length > 0 && leaseUpdate.every((g) => g.names?.length === 1), 'Lease updates are limited to the one Lease by name');
      const events = role.filter((g) => g.gr.endsWith('/events'));
      const eventsOn = v.set?.['events.enabled'] === 'true' || v.scenarios.includes('audit-mode');
      assert.equal(events.length > 0, eventsOn, `events grants ${eventsOn ? 'missing' : 'present'} with events.enabled=${eventsOn}`);
      for (const e of events) assert.ok(['create', 'patch'].includes(e.verb), `events: ${e.verb}`);
    });

    test('RBAC: the Role is namespaced to the release; the ClusterRole reads only mesh kinds, ConfigMaps and Services', () => {
      for (const r of ofKind(objects, 'Role')) assert.equal(r.metadata.namespace, 'meshguard-system');
      const core = grants(rbacRules(objects, 'ClusterRole')).filter((g) => g.gr.startsWith('/'));
      assert.deepEqual([...new Set(core.map((g) => g.gr))].sort(), ['/configmaps', '/services']);
      assert.ok(core.every((g) => READ_VERBS.has(g.verb)));
    });

    if (v.scenarios.includes('url')) {
      test('an out-of-cluster server (webhook.url): no workload, Service or TLS objects in the cluster', () => {
        for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget', 'Secret', 'Certificate', 'Issuer']) {
          assert.deepEqual(ofKind(objects, kind), [], `${kind} rendered with webhook.url`);
        }
      });
    } else test('pod: non-root, read-only root filesystem, no capabilities, RuntimeDefault seccomp, no host namespaces', () => {
      const pod = podSpec(objects);
      assert.equal(pod.securityContext?.runAsNonRoot, true);
      assert.equal(pod.securityContext?.runAsUser, 65532);
      assert.equal(pod.securityContext?.runAsGroup, 65532);
      assert.deepEqual(pod.securityContext?.seccompProfile, { type: 'RuntimeDefault' });
      assert.ok(!pod.hostNetwork && !pod.hostPID && !pod.hostIPC);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) {
        const sc = c.securityContext ?? {};
        assert.equal(sc.runAsNonRoot, true, `${c.name}: runAsNonRoot`);
        assert.equal(sc.readOnlyRootFilesystem, true, `${c.name}: readOnlyRootFilesystem`);
        assert.equal(sc.allowPrivilegeEscalation, false, `${c.name}: allowPrivilegeEscalation`);
        assert.notEqual(sc.privileged, true, `${c.name}: privileged`);
        const caps = (sc.capabilities ?? {}) as { drop?: string[]; add?: string[] };
        assert.deepEqual(caps.drop, ['ALL'], `${c.name}: capabilities.drop`);
        assert.equal(caps.add, undefined, `${c.name}: capabilities.add`);
        assert.deepEqual(sc.seccompProfile, { type: 'RuntimeDefault' });
      }
      // a read-only root needs a writable /tmp
      const tmp = pod.containers[0]?.volumeMounts?.find((m) => m.mountPath === '/tmp');
      assert.ok(tmp && pod.volumes?.find((vol) => vol.name === tmp.name)?.emptyDir, '/tmp is an emptyDir');
      assert.equal(pod.automountServiceAccountToken, true, 'the server needs its token for the API');
    });

    test('webhooks never match the core group, pods, subresources or *', () => {
      for (const w of allWebhooks(objects)) {
        assert.ok(w.rules.length > 0, `${w.name} has no rules`);
        for (const r of w.rules) {
          assert.ok(!r.apiGroups.includes(''), `${w.name} matches the core group`);
          assert.ok(!r.apiGroups.includes('*') && !r.apiVersions.includes('*') && !r.operations.includes('*'), `${w.name}: wildcard in ${JSON.stringify(r)}`);
          for (const res of r.resources) {
            assert.ok(res !== 'pods' && !res.includes('*') && !res.includes('/'), `${w.name} matches ${res}`);
          }
          assert.deepEqual(r.operations, ['CREATE', 'UPDATE'], `${w.name}: operations`);
        }
        // and for good measure, ask the matcher: a Pod, a Namespace and a ConfigMap go nowhere
        for (const probe of [
          { group: '', version: 'v1', resource: 'pods', namespace: namespaceLabels('default') },
          { group: '', version: 'v1', resource: 'namespaces' },
          { group: '', version: 'v1', resource: 'configmaps', namespace: namespaceLabels('default') },
          { group: 'apps', version: 'v1', resource: 'deployments', namespace: namespaceLabels('default') },
        ]) {
          assert.deepEqual(callees([w], probe), [], `${w.name} would be called for ${probe.resource}`);
        }
      }
    });

    test('failurePolicy follows the mode: Fail only for enforce; mutating always Ignore', () => {
      const validating = webhooks(objects, 'ValidatingWebhookConfiguration');
      assert.deepEqual(
        Object.fromEntries(validating.map((w) => [w.name, w.failurePolicy])),
        { 'enforce.validate.meshguard.io': 'Fail', 'warn.validate.meshguard.io': 'Ignore', 'audit.validate.meshguard.io': 'Ignore' },
      );
      for (const w of webhooks(objects, 'MutatingWebhookConfiguration')) assert.equal(w.failurePolicy, 'Ignore', w.name);
    });

    test('kube-system and the release namespace are excluded from every entry, as is meshguard.io/ignore=true', () => {
      for (const w of allWebhooks(objects)) {
        for (const ns of ['kube-system', 'meshguard-system']) {
          for (const mode of [undefined, 'enforce', 'warn', 'audit']) {
            const labels = namespaceLabels(ns, mode ? { 'meshguard.io/mode': mode } : {});
            assert.deepEqual(callees([w], { group: 'networking.istio.io', version: 'v1', resource: 'destinationrules', namespace: labels }), [], `${w.name} is called for ${ns} (mode ${mode})`);
          }
        }
        const ignored = namespaceLabels('team-a', { 'meshguard.io/ignore': 'true' });
        assert.deepEqual(callees([w], { group: 'networking.istio.io', version: 'v1', resource: 'destinationrules', namespace: ignored }), [], `${w.name} ignores the opt-out label`);
      }
    });
  });
}

test('the release namespace exclusion follows --namespace', () => {
  const objects = render({ namespace: 'platform-guard' });
  for (const w of allWebhooks(objects)) {
    const sel = w.namespaceSelector?.matchExpressions?.find((e) => e.key === 'kubernetes.io/metadata.name');
    assert.equal(sel?.operator, 'NotIn');
    assert.deepEqual(sel?.values, ['kube-system', 'platform-guard'], w.name);
  }
  const extra = render({ set: { 'webhook.excludeNamespaces[0]': 'istio-system' } });
  for (const w of allWebhooks(extra)) {
    assert.deepEqual(callees([w], { group: 'networking.istio.io', version: 'v1', resource: 'gateways', namespace: namespaceLabels('istio-system') }), [], w.name);
  }
});

test('failurePolicy can be overridden per mode', () => {
  const objects = render({ set: { 'webhook.failurePolicy.enforce': 'Ignore', 'webhook.failurePolicy.audit': 'Fail' } });
  const byName = Object.fromEntries(webhooks(objects, 'ValidatingWebhookConfiguration').map((w) => [w.name, w.failurePolicy]));
  assert.equal(byName['enforce.validate.meshguard.io'], 'Ignore');
  assert.equal(byName['audit.validate.meshguard.io'], 'Fail');
});

test('OpenShift: runAsUser/runAsGroup can be left to the platform, the rest of the hardening stays', () => {
  const objects = render({ set: { 'podSecurity.runAsUser': 'null', 'podSecurity.runAsGroup': 'null' } });
  const pod = podSpec(objects);
  assert.equal(pod.securityContext?.runAsUser, undefined);
  assert.equal(pod.securityContext?.runAsGroup, undefined);
  assert.equal(pod.securityContext?.runAsNonRoot, true);
  assert.equal(pod.containers[0]?.securityContext?.readOnlyRootFilesystem, true);
});

test('a chart that granted a write elsewhere would fail the RBAC check', () => {
  // The check itself, on a hand-made bad rule: proves the assertion above can fail.
  const bad: K8sObject[] = [{ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'x' }, rules: [{ apiGroups: ['networking.istio.io'], resources: ['destinationrules'], verbs: ['patch'] }] }];
  const writes = grants(rbacRules(bad, 'ClusterRole')).filter((g) => !READ_VERBS.has(g.verb) && !WRITABLE.has(g.gr));
  assert.equal(writes.length, 1);
});
