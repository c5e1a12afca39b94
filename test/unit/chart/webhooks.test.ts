// What the apiserver does with the rendered webhook configurations: which entry (and so which
// /validate/<mode> path) a namespace is sent to, for each chart mode and namespace label; the
// envelope settings; clientConfig for Service and URL; and the TLS wiring of the three modes.

import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { describe, test } from 'node:test';
import { buildRegistry } from '../../../src/rules/index.ts';
import { one, ofKind, render, type K8sObject } from './helm.ts';
import { allWebhooks, callees, namespaceLabels, path, podSpec, webhooks, type WebhookEntry } from './model.ts';

const MODES = ['enforce', 'warn', 'audit'] as const;
const DR = { group: 'networking.istio.io', version: 'v1beta1', resource: 'destinationrules' };
const TOPOLOGY = { group: 'meshguard.io', version: 'v1alpha1', resource: 'meshtopologies' };

function paths(entries: readonly WebhookEntry[]): string[] {
  return entries.map(path).sort();
}

for (const chartMode of MODES) {
  describe(`mode=${chartMode}: routing by namespace label`, () => {
    const objects = render({ set: { mode: chartMode } });
    const validating = webhooks(objects, 'ValidatingWebhookConfiguration');
    const mutating = webhooks(objects, 'MutatingWebhookConfiguration');

    const cases: Array<[string, Record<string, string>, (typeof MODES)[number]]> = [
      ['unlabelled', {}, chartMode],
      ['an unknown mode label', { 'meshguard.io/mode': 'strict' }, chartMode],
      ...MODES.map((m): [string, Record<string, string>, (typeof MODES)[number]] => [`labelled ${m}`, { 'meshguard.io/mode': m }, m]),
    ];
    for (const [what, labels, effective] of cases) {
      test(`a namespace ${what} is validated once, on /validate/${effective}`, () => {
        const called = callees(validating, { ...DR, namespace: namespaceLabels('team-a', labels) });
        assert.deepEqual(paths(called), [`/validate/${effective}`]);
        const mutated = callees(mutating, { ...DR, namespace: namespaceLabels('team-a', labels) });
        assert.equal(mutated.length, 1, 'mutated exactly once');
        if (effective === 'audit') assert.equal(path(mutated[0] as WebhookEntry), '/mutate/audit');
        else assert.ok(['/mutate', '/mutate/enforce'].includes(path(mutated[0] as WebhookEntry)), path(mutated[0] as WebhookEntry));
      });
    }

    test('/mutate (server mode) is used only when the server mode writes defaults', () => {
      const writer = mutating.find((w) => w.name === 'mutate.meshguard.io');
      assert.equal(writer && path(writer), chartMode === 'audit' ? '/mutate/enforce' : '/mutate');
    });

    test('cluster-scoped MeshTopology is validated and mutated exactly once, in the chart mode', () => {
      const v = callees(validating, TOPOLOGY);
      assert.deepEqual(paths(v), [`/validate/${chartMode}`]);
      assert.equal(v[0]?.rules.find((r) => r.resources.includes('meshtopologies'))?.scope, '*');
      assert.equal(callees(mutating, TOPOLOGY).length, 1);
      // only the default mode's entries list cluster-scoped kinds; the others are Namespaced only
      for (const w of allWebhooks(objects)) {
        if (w.rules.some((r) => r.resources.includes('meshtopologies'))) continue;
        for (const r of w.rules) assert.equal(r.scope, 'Namespaced', `${w.name}: ${r.resources.join(',')}`);
      }
    });

    test('envelope: sideEffects None, v1 reviews, Equivalent matching, timeouts 5 s / 2 s, reinvocation IfNeeded', () => {
      for (const w of allWebhooks(objects)) {
        assert.equal(w.sideEffects, 'None', w.name);
        assert.deepEqual(w.admissionReviewVersions, ['v1'], w.name);
        assert.equal(w.matchPolicy, 'Equivalent', w.name);
      }
      for (const w of validating) assert.equal(w.timeoutSeconds, 5, w.name);
      for (const w of mutating) {
        assert.equal(w.timeoutSeconds, 2, w.name);
        assert.equal(w.reinvocationPolicy, 'IfNeeded', w.name);
      }
      assert.deepEqual(validating.map((w) => w.name).sort(), ['audit.validate.meshguard.io', 'enforce.validate.meshguard.io', 'warn.validate.meshguard.io']);
    });
  });
}

test('timeouts are configurable', () => {
  const objects = render({ set: { 'webhook.timeoutSeconds.validating': '10', 'webhook.timeoutSeconds.mutating': '3' } });
  for (const w of webhooks(objects, 'ValidatingWebhookConfiguration')) assert.equal(w.timeoutSeconds, 10);
  for (const w of webhooks(objects, 'MutatingWebhookConfiguration')) assert.equal(w.timeoutSeconds, 3);
});

describe('served kinds', () => {
  const entries = webhooks(render(), 'ValidatingWebhookConfiguration');
  const rules = entries.flatMap((w) => w.rules);
  const rendered = new Map<string, { versions: string[] }>();
  for (const r of rules) {
    for (const g of r.apiGroups) for (const res of r.resources) rendered.set(`${g}/${res}`, { versions: r.apiVersions });
  }

  test('the chart serves exactly the decided list', () => {
    assert.deepEqual([...rendered.keys()].sort(), [
      'federation.maistra.io/exportedservicesets',
      'federation.maistra.io/importedservicesets',
      'federation.maistra.io/servicemeshpeers',
      'install.istio.io/istiooperators',
      'istio.alibabacloud.com/asmpvlconfigs',
      'istio.alibabacloud.com/istiogateways',
      'meshguard.io/meshtopologies',
      'networking.istio.io/destinationrules',
      'networking.istio.io/gateways',
    ]);
  });

  const registry = buildRegistry();
  test('every kind the engine serves at admission is in the webhook rules, with its versions', () => {
    for (const k of registry.kinds.filter((x) => x.admission)) {
      const r = rendered.get(`${k.group}/${k.plural}`);
      assert.ok(r, `${k.kind} (${k.group}/${k.plural}) is served by the engine but not by the chart`);
      assert.deepEqual([...r.versions].sort(), [...k.versions].sort(), `${k.kind}: chart versions ${r.versions} vs engine ${k.versions}`);
      // scope: a cluster-scoped kind is listed by the default mode's entry only (namespaceSelector
      // cannot route it), a namespaced kind by every mode's entry
      const listing = entries.filter((w) => w.rules.some((x) => x.apiGroups.includes(k.group) && x.resources.includes(k.plural)));
      assert.equal(listing.length, k.scope === 'Cluster' ? 1 : 3, `${k.kind} (${k.scope}) is listed by ${listing.length} validating entries`);
    }
  });

  test('no kind the engine keeps for audit/CLI only (ConfigMaps, Services) reaches the webhooks', () => {
    for (const k of registry.kinds.filter((x) => !x.admission)) {
      assert.ok(!rendered.has(`${k.group}/${k.plural}`), `${k.kind} is audit-only in the engine but in the webhook rules`);
    }
  });

  test('every kind in the webhook rules has an engine registration (else the server admits it unchecked)', () => {
    const engine = new Set(registry.kinds.filter((x) => x.admission).map((k) => `${k.group}/${k.plural}`));
    const missing = [...rendered.keys()].filter((k) => !engine.has(k));
    assert.deepEqual(missing, [], `chart serves kinds the engine does not register yet: ${missing.join(', ')}`);
  });
});

describe('clientConfig', () => {
  test('default: the Service, port 443, one path per entry', () => {
    const objects = render();
    const svc = one(objects, 'Service') as K8sObject & { spec: { ports: Array<{ name: string; port: number; targetPort: string }> } };
    const https = svc.spec.ports.find((p) => p.name === 'https');
    assert.deepEqual([https?.port, https?.targetPort], [443, 'https']);
    for (const w of allWebhooks(objects)) {
      assert.deepEqual(
        { name: w.clientConfig.service?.name, namespace: w.clientConfig.service?.namespace, port: w.clientConfig.service?.port },
        { name: svc.metadata.name, namespace: 'meshguard-system', port: 443 },
      );
      assert.equal(w.clientConfig.url, undefined);
    }
    assert.deepEqual(paths(allWebhooks(objects)), ['/mutate', '/mutate/audit', '/validate/audit', '/validate/enforce', '/validate/warn']);
  });

  test('webhook.url: the base URL with the paths appended, and the caBundle', () => {
    const objects = render({ scenarios: ['url'] });
    for (const w of allWebhooks(objects)) {
      assert.equal(w.clientConfig.service, undefined);
      assert.match(w.clientConfig.url ?? '', /^https:\/\/127\.0\.0\.1:8443\/(validate|mutate)/);
      assert.ok(w.clientConfig.caBundle && Buffer.from(w.clientConfig.caBundle, 'base64').toString().startsWith('-----BEGIN CERTIFICATE-----'));
    }
    const trailing = render({ set: { 'webhook.url': 'https://dev.example:9443/' } });
    assert.deepEqual(allWebhooks(trailing).map((w) => w.clientConfig.url).sort(), [
      'https://dev.example:9443/mutate',
      'https://dev.example:9443/mutate/audit',
      'https://dev.example:9443/validate/audit',
      'https://dev.example:9443/validate/enforce',
      'https://dev.example:9443/validate/warn',
    ]);
  });
});

describe('TLS modes', () => {
  test('certManager: CA chain, serving Certificate for every Service DNS name, inject-ca-from on both configurations', () => {
    const objects = render();
    const certs = ofKind(objects, 'Certificate') as Array<K8sObject & { spec: Record<string, unknown> }>;
    const issuers = ofKind(objects, 'Issuer') as Array<K8sObject & { spec: Record<string, unknown> }>;
    const ca = certs.find((c) => c.spec.isCA === true);
    const serving = certs.find((c) => c.spec.isCA !== true);
    assert.ok(ca && serving, 'a CA Certificate and a serving Certificate');
    const selfSigned = issuers.find((i) => 'selfSigned' in i.spec);
    const caIssuer = issuers.find((i) => 'ca' in i.spec);
    assert.equal((ca.spec.issuerRef as { name: string }).name, selfSigned?.metadata.name);
    assert.equal((caIssuer?.spec.ca as { secretName: string }).secretName, ca.spec.secretName);
    assert.equal((serving.spec.issuerRef as { name: string }).name, caIssuer?.metadata.name);
    const svc = 'mg-meshguard';
    assert.deepEqual(serving.spec.dnsNames, [svc, `${svc}.meshguard-system`, `${svc}.meshguard-system.svc`, `${svc}.meshguard-system.svc.cluster.local`]);
    for (const kind of ['ValidatingWebhookConfiguration', 'MutatingWebhookConfiguration']) {
      assert.equal(one(objects, kind).metadata.annotations?.['cert-manager.io/inject-ca-from'], `meshguard-system/${serving.metadata.name}`);
    }
    for (const w of allWebhooks(objects)) assert.equal(w.clientConfig.caBundle, undefined, 'cainjector owns caBundle');
    const tlsVolume = podSpec(objects).volumes?.find((v) => v.name === 'tls');
    assert.equal(tlsVolume?.secret?.secretName, serving.spec.secretName);
  });

  test('helm: a generated CA whose certificate verifies for the Service name, and is every caBundle', () => {
    const objects = render({ scenarios: ['helm-tls'] });
    const secret = one(objects, 'Secret') as K8sObject & { type: string; data: Record<string, string> };
    assert.equal(secret.type, 'kubernetes.io/tls');
    const ca = new X509Certificate(Buffer.from(secret.data['ca.crt'] ?? '', 'base64'));
    const crt = new X509Certificate(Buffer.from(secret.data['tls.crt'] ?? '', 'base64'));
    assert.ok(crt.checkIssued(ca) && crt.verify(ca.publicKey), 'serving certificate is signed by the CA');
    assert.equal(crt.checkHost('mg-meshguard.meshguard-system.svc'), 'mg-meshguard.meshguard-system.svc');
    assert.ok(ca.ca, 'CA certificate has basicConstraints CA:TRUE');
    assert.ok(Date.parse(crt.validTo) - Date.now() > 365 * 24 * 3600 * 1000, 'valid for years, as tls.helm.certValidityDays says');
    for (const w of allWebhooks(objects)) assert.equal(w.clientConfig.caBundle, secret.data['ca.crt'], w.name);
    assert.equal(podSpec(objects).volumes?.find((v) => v.name === 'tls')?.secret?.secretName, secret.metadata.name);
    assert.deepEqual(ofKind(objects, 'Certificate'), [], 'no cert-manager objects in helm mode');
  });

  test('secret: the named Secret is mounted and the PEM caBundle is base64-encoded for the API', () => {
    const objects = render({ scenarios: ['secret-tls'] });
    assert.equal(podSpec(objects).volumes?.find((v) => v.name === 'tls')?.secret?.secretName, 'meshguard-byo-tls');
    assert.deepEqual(ofKind(objects, 'Secret'), [], 'the chart creates no Secret in secret mode');
    for (const w of allWebhooks(objects)) {
      const pem = Buffer.from(w.clientConfig.caBundle ?? '', 'base64').toString();
      assert.doesNotThrow(() => new X509Certificate(pem), `${w.name}: caBundle is not a certificate`);
    }
  });
});
