// AdmissionReview fixtures: one builder so every test speaks the same wire format.

import type { KObject, Operation } from '../../src/engine/types.ts';

let counter = 0;

export function review(object: KObject | null, opts: { operation?: Operation; namespace?: string; subResource?: string; oldObject?: KObject; uid?: string; dryRun?: boolean } = {}) {
  const [group, version] = String(object?.apiVersion ?? 'x/v1').includes('/') ? String(object?.apiVersion).split('/') : ['', String(object?.apiVersion)];
  const request: Record<string, unknown> = {
    uid: opts.uid ?? `uid-${++counter}`,
    kind: { group, version, kind: object?.kind ?? 'Unknown' },
    resource: { group, version, resource: `${String(object?.kind ?? 'unknown').toLowerCase()}s` },
    operation: opts.operation ?? 'CREATE',
    name: object?.metadata?.name,
    namespace: opts.namespace ?? object?.metadata?.namespace,
    userInfo: { username: 'tester' },
    object,
    dryRun: opts.dryRun ?? false,
  };
  if (opts.subResource) request.subResource = opts.subResource;
  if (opts.oldObject) request.oldObject = opts.oldObject;
  return { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request };
}

export const badPvl: KObject = {
  apiVersion: 'istio.alibabacloud.com/v1beta1',
  kind: 'ASMPvlConfig',
  metadata: { name: 'pvl', namespace: 'istio-system' },
  // Everything right but the name, so exactly one rule fires.
  spec: {
    ackVpcEndpoint: [{ clusterId: 'c-ack-hz', vSwitches: [{ vSwitchId: 'vsw-bp1jsgsanpvxpj32yai50', zoneId: 'cn-hangzhou-i' }] }],
    asmVpcEndpoint: { vSwitches: [{ vSwitchId: 'vsw-bp1l5hini55sstnwd2skf', zoneId: 'cn-hangzhou-i' }] },
  },
};

export const portlessPeer: KObject = {
  apiVersion: 'federation.maistra.io/v1',
  kind: 'ServiceMeshPeer',
  metadata: { name: 'green-mesh', namespace: 'red-mesh-system' },
  spec: { remote: { addresses: ['ingress-red-mesh.green-mesh-system.apps.domain.com'] } },
};

export function decodePatch(b64: string | undefined): Array<{ op: string; path: string; value?: unknown }> {
  return b64 ? JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) : [];
}
