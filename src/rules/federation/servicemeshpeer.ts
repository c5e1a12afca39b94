// ServiceMeshPeer: one side of a Maistra federation (seed 004). It lives in this mesh's control-plane
// namespace, is named after the peer mesh, and says how to reach the peer (remote), which local
// gateways carry the traffic (gateways) and how the peer's clients are authenticated (security).

import type { RuleContext } from '../../engine/context.ts';
import { ptr } from '../../engine/pointer.ts';
import { defineDefaulter, defineKind, defineValidator } from '../../engine/rule.ts';
import { misplacedFieldRule, SERVICE_MESH_PEER_FIELDS, unknownFieldRule } from './fields.ts';
import {
  addressProblem,
  conventionalClientId,
  conventionalTrustDomain,
  DEFAULT_DISCOVERY_PORT,
  DEFAULT_SERVICE_PORT,
  formatClientId,
  isDns1123Label,
  isDns1123Subdomain,
  localMeshName,
  namespaceOf,
  normalizeAddress,
  parseClientId,
  peerSystemNamespace,
  ROOT_CERT_KEY,
  toDns1123Label,
  trustDomainProblem,
} from './names.ts';
import { FEDERATION_GROUP, FEDERATION_VERSIONS, serviceMeshPeerSchema, type ServiceMeshPeer } from './schema.ts';

export { DEFAULT_DISCOVERY_PORT, DEFAULT_SERVICE_PORT } from './names.ts';

/** The peer mesh's name when it can be used to derive defaults (a valid DNS label), else undefined. */
function peerName(obj: ServiceMeshPeer): string | undefined {
  const name = obj.metadata.name;
  return name !== undefined && isDns1123Label(name) ? name : undefined;
}

/** The conventional client ID for this peer, when every part of it can be derived. */
function expectedClientId(obj: ServiceMeshPeer, ctx: RuleContext, trustDomain: string): string | undefined {
  const name = peerName(obj);
  const local = localMeshName(namespaceOf(obj, ctx), ctx);
  if (!name || !local || trustDomainProblem(trustDomain)) return undefined;
  return conventionalClientId(trustDomain, peerSystemNamespace(name, ctx).value, local.value);
}

// ---------------------------------------------------------------------------------------------
// Defaulters: what the docs promise when a field is left out. Only absent fields are filled.

export const defaultRemotePorts = defineDefaulter<ServiceMeshPeer>({
  id: 'federation/default-remote-ports',
  severity: 'warning',
  summary: `spec.remote.discoveryPort defaults to ${DEFAULT_DISCOVERY_PORT} and servicePort to ${DEFAULT_SERVICE_PORT}`,
  source: '004',
  apply(_obj, _ctx, set) {
    set(ptr('spec', 'remote', 'discoveryPort'), DEFAULT_DISCOVERY_PORT, 'the documented default discovery port');
    set(ptr('spec', 'remote', 'servicePort'), DEFAULT_SERVICE_PORT, 'the documented default service port');
  },
});

export const defaultTrustDomain = defineDefaulter<ServiceMeshPeer>({
  id: 'federation/default-trust-domain',
  severity: 'warning',
  summary:
    "spec.security.trustDomain defaults to the peer mesh's trust domain in the MeshTopology, else the trust domain of spec.security.clientID, else the docs' convention <metadata.name>.local",
  source: '004',
  apply(obj, ctx, set) {
    const name = peerName(obj);
    if (!name) return;
    const at = ptr('spec', 'security', 'trustDomain');
    const known = ctx.topology?.mesh(name)?.trustDomain;
    if (known) {
      set(at, known, `trust domain of mesh ${name} in the MeshTopology`);
      return;
    }
    const fromClient = parseClientId(obj.spec?.security?.clientID ?? '')?.trustDomain;
    if (fromClient && !trustDomainProblem(fromClient)) {
      set(at, fromClient, 'the trust domain of spec.security.clientID');
      return;
    }
    set(at, conventionalTrustDomain(name), "the docs' <peer>.local convention; write the real one if it differs");
  },
});

export const defaultCertificateChain = defineDefaulter<ServiceMeshPeer>({
  id: 'federation/default-certificate-chain',
  severity: 'warning',
  summary: 'spec.security.certificateChain defaults to {kind: ConfigMap, name: <metadata.name>-ca-root-cert}',
  source: '004',
  apply(obj, _ctx, set) {
    const name = peerName(obj);
    if (!name) return;
    // Field by field, so a partly written certificateChain gets only what it lacks.
    set(ptr('spec', 'security', 'certificateChain', 'kind'), 'ConfigMap', 'the peer root certificate is read from a ConfigMap');
    set(ptr('spec', 'security', 'certificateChain', 'name'), `${name}-ca-root-cert`, `documented default (certificate under key ${ROOT_CERT_KEY})`);
  },
});

export const defaultGatewayNames = defineDefaulter<ServiceMeshPeer>({
  id: 'federation/default-gateway-names',
  severity: 'warning',
  summary: 'spec.gateways.ingress.name defaults to ingress-<metadata.name> and spec.gateways.egress.name to egress-<metadata.name>',
  source: '004',
  apply(obj, _ctx, set) {
    const name = peerName(obj);
    if (!name) return;
    set(ptr('spec', 'gateways', 'ingress', 'name'), `ingress-${name}`, `the docs' ingress name for peer ${name}`);
    set(ptr('spec', 'gateways', 'egress', 'name'), `egress-${name}`, `the docs' egress name for peer ${name}`);
  },
});

export const defaultClientId = defineDefaulter<ServiceMeshPeer>({
  id: 'federation/default-client-id',
  severity: 'warning',
  summary:
    'spec.security.clientID defaults to <trustDomain>/ns/<peer control-plane namespace>/sa/egress-<local mesh>-service-account (the peer egress gateway dedicated to this mesh)',
  source: '004',
  apply(obj, ctx, set) {
    const name = peerName(obj);
    const trustDomain = obj.spec?.security?.trustDomain;
    if (!name || trustDomain === undefined) return;
    const local = localMeshName(namespaceOf(obj, ctx), ctx);
    const id = expectedClientId(obj, ctx, trustDomain);
    if (!local || !id) return;
    set(ptr('spec', 'security', 'clientID'), id, `${name}'s egress for ${local.value}`);
  },
});

// ---------------------------------------------------------------------------------------------
// Validators.

export const peerNameDnsLabel = defineValidator<ServiceMeshPeer>({
  id: 'federation/peer-name-dns-label',
  severity: 'error',
  summary: 'metadata.name (the peer mesh name) is a DNS-1123 label: it becomes part of host names and gateway names',
  source: '004',
  check(obj, _ctx, report) {
    const name = obj.metadata.name;
    if (name === undefined || name === '') {
      report(ptr('metadata', 'name'), 'metadata.name is not set; a ServiceMeshPeer is named after the peer mesh', 'set metadata.name to the peer mesh name (e.g. green-mesh)');
    } else if (!isDns1123Label(name)) {
      report(
        ptr('metadata', 'name'),
        `metadata.name ${JSON.stringify(name)} is not a DNS-1123 label (lower-case letters, digits, "-", at most 63), yet it becomes part of host names`,
        `set metadata.name: ${toDns1123Label(name)}`,
      );
    }
  },
});

export const remoteAddressesRequired = defineValidator<ServiceMeshPeer>({
  id: 'federation/remote-addresses-required',
  severity: 'error',
  summary: 'spec.remote.addresses lists at least one address of the peer mesh ingress gateway',
  source: '004',
  check(obj, ctx, report) {
    const addresses = obj.spec?.remote?.addresses;
    if (addresses !== undefined && addresses.length > 0) return;
    const name = peerName(obj) ?? 'the peer';
    const local = localMeshName(namespaceOf(obj, ctx), ctx)?.value ?? '<this mesh>';
    const peerNs = peerName(obj) ? peerSystemNamespace(name, ctx).value : '<peer namespace>';
    report(
      ptr('spec', 'remote', 'addresses'),
      `spec.remote.addresses is ${addresses === undefined ? 'not set' : 'empty'}: istiod has no address to reach mesh ${name} at`,
      `list the public address of ${name}'s ingress gateway for this mesh, e.g. ingress-${local}.${peerNs}.apps.example.com`,
    );
  },
});

export const remoteAddressFormat = defineValidator<ServiceMeshPeer>({
  id: 'federation/remote-address-format',
  severity: 'error',
  summary: 'every spec.remote.addresses entry is a DNS name or an IP address (no scheme, no port)',
  source: '004',
  check(obj, _ctx, report) {
    (obj.spec?.remote?.addresses ?? []).forEach((address, i) => {
      const p = addressProblem(address);
      if (p) report(ptr('spec', 'remote', 'addresses', i), `spec.remote.addresses[${i}] ${JSON.stringify(address)} ${p.problem}`, p.fix);
    });
  },
});

export const remoteAddressDuplicate = defineValidator<ServiceMeshPeer>({
  id: 'federation/remote-address-duplicate',
  severity: 'error',
  summary: 'spec.remote.addresses has no duplicates',
  source: '004',
  check(obj, _ctx, report) {
    const seen = new Map<string, number>();
    (obj.spec?.remote?.addresses ?? []).forEach((address, i) => {
      const key = normalizeAddress(address);
      const first = seen.get(key);
      if (first === undefined) {
        seen.set(key, i);
        return;
      }
      report(
        ptr('spec', 'remote', 'addresses', i),
        `spec.remote.addresses[${i}] ${JSON.stringify(address)} repeats spec.remote.addresses[${first}]`,
        `remove spec.remote.addresses[${i}]`,
      );
    });
  },
});

export const remotePortRange = defineValidator<ServiceMeshPeer>({
  id: 'federation/remote-port-range',
  severity: 'error',
  summary: 'spec.remote.discoveryPort and servicePort are integers in 1..65535',
  source: '004',
  check(obj, _ctx, report) {
    const remote = obj.spec?.remote;
    const ports: Array<['discoveryPort' | 'servicePort', number]> = [
      ['discoveryPort', DEFAULT_DISCOVERY_PORT],
      ['servicePort', DEFAULT_SERVICE_PORT],
    ];
    for (const [field, fallback] of ports) {
      const port = remote?.[field];
      if (port === undefined || (Number.isInteger(port) && port >= 1 && port <= 65535)) continue;
      report(
        ptr('spec', 'remote', field),
        `spec.remote.${field} ${port} is not a port number (an integer in 1..65535)`,
        `set spec.remote.${field} to the peer gateway's ${field === 'discoveryPort' ? 'discovery' : 'service'} port (default ${fallback})`,
      );
    }
  },
});

export const remotePortsDistinct = defineValidator<ServiceMeshPeer>({
  id: 'federation/remote-ports-distinct',
  severity: 'error',
  summary: 'spec.remote.discoveryPort differs from servicePort (runtime defaults 8188/15443 count when a port is unset)',
  source: '004',
  check(obj, _ctx, report) {
    const remote = obj.spec?.remote;
    const discovery = remote?.discoveryPort ?? DEFAULT_DISCOVERY_PORT;
    const service = remote?.servicePort ?? DEFAULT_SERVICE_PORT;
    if (discovery !== service) return;
    const field = remote?.servicePort !== undefined ? 'servicePort' : 'discoveryPort';
    const fix =
      field === 'servicePort' && discovery !== DEFAULT_SERVICE_PORT
        ? `set spec.remote.servicePort to a port different from discoveryPort (e.g. ${DEFAULT_SERVICE_PORT})`
        : `set spec.remote.discoveryPort to a port different from servicePort (e.g. ${DEFAULT_DISCOVERY_PORT})`;
    report(
      ptr('spec', 'remote', field),
      `spec.remote.discoveryPort and servicePort are both ${discovery}: discovery and service traffic need separate ports on the peer gateway`,
      fix,
    );
  },
});

export const securityRequired = defineValidator<ServiceMeshPeer>({
  id: 'federation/security-required',
  severity: 'error',
  summary: 'spec.security.trustDomain and spec.security.clientID are set (Maistra has no runtime default for either)',
  source: '004',
  check(obj, ctx, report) {
    const security = obj.spec?.security;
    const name = peerName(obj);
    const trustDomain = security?.trustDomain;
    if (trustDomain === undefined || trustDomain === '') {
      const hint = name ? ` (by convention ${conventionalTrustDomain(name)})` : '';
      report(
        ptr('spec', 'security', 'trustDomain'),
        'spec.security.trustDomain is not set: no root certificate is loaded for the peer, so its clients are not verified',
        `set spec.security.trustDomain to the peer mesh's trust domain${hint}`,
      );
    }
    const clientId = security?.clientID;
    if (clientId === undefined || clientId === '') {
      const expected = expectedClientId(obj, ctx, trustDomain || (name ? conventionalTrustDomain(name) : ''));
      report(
        ptr('spec', 'security', 'clientID'),
        'spec.security.clientID is not set: no principal is allowed on the discovery port, so the peer cannot discover services',
        expected ? `set spec.security.clientID: ${expected}` : 'set spec.security.clientID: <peer trust domain>/ns/<peer namespace>/sa/<peer egress service account>',
      );
    }
  },
});

export const trustDomainFormat = defineValidator<ServiceMeshPeer>({
  id: 'federation/trust-domain-format',
  severity: 'error',
  summary: 'spec.security.trustDomain is a valid SPIFFE trust domain name (lower-case, no scheme, no path)',
  source: '004',
  check(obj, _ctx, report) {
    const td = obj.spec?.security?.trustDomain;
    if (td === undefined || td === '') return;
    const p = trustDomainProblem(td);
    if (!p) return;
    report(
      ptr('spec', 'security', 'trustDomain'),
      `spec.security.trustDomain ${JSON.stringify(td)} ${p.problem}; a trust domain is a name like green-mesh.local`,
      p.suggestion ? `set spec.security.trustDomain: ${p.suggestion}` : "set spec.security.trustDomain to the peer mesh's trust domain, e.g. green-mesh.local",
    );
  },
});

export const trustDomainNotLocal = defineValidator<ServiceMeshPeer>({
  id: 'federation/trust-domain-not-local',
  severity: 'error',
  summary: "spec.security.trustDomain differs from this mesh's own trust domain (MeshTopology); otherwise no peer root certificate is ever loaded",
  source: '004',
  needs: ['topology'],
  check(obj, ctx, report) {
    const td = obj.spec?.security?.trustDomain;
    const ns = namespaceOf(obj, ctx);
    const local = ctx.topology?.meshByNamespace(ns);
    if (!td || !local?.trustDomain || td.toLowerCase() !== local.trustDomain.toLowerCase()) return;
    const name = peerName(obj);
    const peerTd = name ? (ctx.topology?.mesh(name)?.trustDomain ?? conventionalTrustDomain(name)) : undefined;
    report(
      ptr('spec', 'security', 'trustDomain'),
      `spec.security.trustDomain ${JSON.stringify(td)} is the trust domain of this mesh ${local.name} (MeshTopology), so no peer root certificate is ever loaded`,
      peerTd && peerTd !== td ? `set spec.security.trustDomain: ${peerTd} (the peer mesh's trust domain)` : "set spec.security.trustDomain to the peer mesh's own trust domain",
    );
  },
});

export const trustDomainTopology = defineValidator<ServiceMeshPeer>({
  id: 'federation/trust-domain-topology',
  severity: 'error',
  summary: "spec.security.trustDomain equals the peer mesh's trust domain when the MeshTopology states it",
  source: '004',
  needs: ['topology'],
  check(obj, ctx, report) {
    const td = obj.spec?.security?.trustDomain;
    const name = peerName(obj);
    const known = name ? ctx.topology?.mesh(name)?.trustDomain : undefined;
    if (!td || !known || td.toLowerCase() === known.toLowerCase()) return;
    report(
      ptr('spec', 'security', 'trustDomain'),
      `spec.security.trustDomain is ${JSON.stringify(td)}, but the MeshTopology gives mesh ${name} the trust domain ${JSON.stringify(known)}`,
      `set spec.security.trustDomain: ${known} (or correct the MeshTopology)`,
    );
  },
});

export const clientIdFormat = defineValidator<ServiceMeshPeer>({
  id: 'federation/client-id-format',
  severity: 'error',
  summary: 'spec.security.clientID has the form <trustDomain>/ns/<namespace>/sa/<serviceaccount> (no spiffe:// prefix)',
  source: '004',
  check(obj, ctx, report) {
    const clientId = obj.spec?.security?.clientID;
    if (clientId === undefined || clientId === '') return;
    const at = ptr('spec', 'security', 'clientID');
    const td = obj.spec?.security?.trustDomain ?? '';
    const expected = expectedClientId(obj, ctx, td);
    const fallbackFix = expected
      ? `set spec.security.clientID: ${expected}`
      : 'set spec.security.clientID: <peer trust domain>/ns/<peer namespace>/sa/<peer egress service account>';
    if (clientId.startsWith('spiffe://')) {
      const stripped = clientId.slice('spiffe://'.length);
      report(
        at,
        `spec.security.clientID ${JSON.stringify(clientId)} carries the spiffe:// scheme; the discovery port's policy matches principals without it`,
        parseClientId(stripped) ? `set spec.security.clientID: ${stripped}` : fallbackFix,
      );
      return;
    }
    const id = parseClientId(clientId);
    if (!id) {
      report(at, `spec.security.clientID ${JSON.stringify(clientId)} is not of the form <trustDomain>/ns/<namespace>/sa/<serviceaccount>`, fallbackFix);
      return;
    }
    if (!isDns1123Label(id.namespace)) {
      report(at, `spec.security.clientID namespace ${JSON.stringify(id.namespace)} is not a valid namespace name`, fallbackFix);
    }
    if (!isDns1123Subdomain(id.serviceAccount)) {
      report(at, `spec.security.clientID service account ${JSON.stringify(id.serviceAccount)} is not a valid service account name`, fallbackFix);
    }
  },
});

export const clientIdTrustDomain = defineValidator<ServiceMeshPeer>({
  id: 'federation/client-id-trust-domain',
  severity: 'error',
  summary: 'the trust domain of spec.security.clientID equals spec.security.trustDomain (a wrong clientID silently blocks discovery)',
  source: '004',
  check(obj, _ctx, report) {
    const security = obj.spec?.security;
    const id = parseClientId(security?.clientID ?? '');
    const td = security?.trustDomain;
    // An invalid trust domain is trust-domain-format's finding; a clientID built from it would be wrong too.
    if (!id || !td || id.trustDomain === td || trustDomainProblem(td)) return;
    report(
      ptr('spec', 'security', 'clientID'),
      `spec.security.clientID is in trust domain ${JSON.stringify(id.trustDomain)}, not ${JSON.stringify(td)}: it is the only principal allowed on the discovery port, so discovery is refused`,
      `set spec.security.clientID: ${formatClientId({ ...id, trustDomain: td })} (or correct spec.security.trustDomain)`,
    );
  },
});

export const clientIdNamespace = defineValidator<ServiceMeshPeer>({
  id: 'federation/client-id-namespace',
  severity: 'warning',
  summary: "the namespace in spec.security.clientID is the peer mesh's control-plane namespace when the MeshTopology states it",
  source: '004',
  needs: ['topology'],
  check(obj, ctx, report) {
    const security = obj.spec?.security;
    const id = parseClientId(security?.clientID ?? '');
    const name = peerName(obj);
    const peerNs = name ? ctx.topology?.mesh(name)?.namespace : undefined;
    if (!id || !peerNs || id.namespace === peerNs) return;
    report(
      ptr('spec', 'security', 'clientID'),
      `spec.security.clientID names namespace ${JSON.stringify(id.namespace)}, but mesh ${name}'s control plane and egress gateways are in ${peerNs} (MeshTopology)`,
      `set spec.security.clientID: ${formatClientId({ ...id, namespace: peerNs })}`,
    );
  },
});

export const certificateChainKind = defineValidator<ServiceMeshPeer>({
  id: 'federation/certificate-chain-kind',
  severity: 'error',
  summary: 'spec.security.certificateChain.kind is ConfigMap (the only kind Maistra reads the peer root certificate from)',
  source: '004',
  check(obj, _ctx, report) {
    const kind = obj.spec?.security?.certificateChain?.kind;
    if (kind === undefined || kind === 'ConfigMap') return;
    report(
      ptr('spec', 'security', 'certificateChain', 'kind'),
      `spec.security.certificateChain.kind is ${JSON.stringify(kind)}, but Maistra only reads the peer root certificate from a ConfigMap`,
      `set spec.security.certificateChain.kind: ConfigMap and put the certificate under key ${ROOT_CERT_KEY}`,
    );
  },
});

export const certificateChainConfigMap = defineValidator<ServiceMeshPeer>({
  id: 'federation/certificate-chain-configmap',
  severity: 'warning',
  summary: `the certificateChain ConfigMap exists in the peer's namespace and has the key ${ROOT_CERT_KEY} (warning: it may be created right after)`,
  source: '004',
  needs: ['lookups'],
  check(obj, ctx, report) {
    const chain = obj.spec?.security?.certificateChain;
    if (chain?.kind !== undefined && chain.kind !== 'ConfigMap') return;
    const name = chain?.name ?? (peerName(obj) ? `${peerName(obj)}-ca-root-cert` : undefined);
    const ns = namespaceOf(obj, ctx);
    if (!name || !ns || !ctx.lookups) return;
    const at = chain?.name !== undefined ? ptr('spec', 'security', 'certificateChain', 'name') : ptr('spec', 'security', 'certificateChain');
    const cm = ctx.lookups.configMap(ns, name);
    if (!cm) {
      report(
        at,
        `ConfigMap ${ns}/${name} does not exist: without the peer's root certificate its gateways and clients are not trusted`,
        `create ConfigMap ${name} in ${ns} with the peer mesh's root certificate under key ${ROOT_CERT_KEY}`,
      );
    } else if (cm.data[ROOT_CERT_KEY] === undefined || cm.data[ROOT_CERT_KEY].trim() === '') {
      const keys = Object.keys(cm.data);
      report(
        at,
        `ConfigMap ${ns}/${name} has no ${ROOT_CERT_KEY} entry${keys.length > 0 ? ` (keys: ${keys.join(', ')})` : ''}, the only key Maistra reads`,
        `put the peer mesh's root certificate in ConfigMap ${name} under key ${ROOT_CERT_KEY}`,
      );
    }
  },
});

export const peerInControlPlaneNamespace = defineValidator<ServiceMeshPeer>({
  id: 'federation/peer-in-control-plane-namespace',
  severity: 'warning',
  summary: 'a ServiceMeshPeer lives in a mesh control-plane namespace known to the MeshTopology (checked when the topology lists meshes)',
  source: '004',
  needs: ['topology'],
  check(obj, ctx, report) {
    const topology = ctx.topology;
    const ns = namespaceOf(obj, ctx);
    if (!topology || ns === '' || topology.meshes().length === 0 || topology.meshByNamespace(ns)) return;
    const known = topology
      .meshes()
      .map((m) => m.namespace)
      .filter((n): n is string => !!n);
    report(
      ptr('metadata', 'namespace'),
      `namespace ${JSON.stringify(ns)} is not the control-plane namespace of any mesh in the MeshTopology${known.length > 0 ? ` (known: ${known.join(', ')})` : ''}; Maistra only reads peers there`,
      'create the ServiceMeshPeer in the namespace of the ServiceMeshControlPlane, or add the mesh to the MeshTopology',
    );
  },
});

export const serviceMeshPeerKind = defineKind<ServiceMeshPeer>({
  group: FEDERATION_GROUP,
  kind: 'ServiceMeshPeer',
  versions: FEDERATION_VERSIONS,
  plural: 'servicemeshpeers',
  scope: 'Namespaced',
  admission: true,
  schema: serviceMeshPeerSchema,
  // Order matters: the client ID is built from the (possibly defaulted) trust domain.
  defaulters: [defaultRemotePorts, defaultTrustDomain, defaultCertificateChain, defaultGatewayNames, defaultClientId],
  validators: [
    peerNameDnsLabel,
    remoteAddressesRequired,
    remoteAddressFormat,
    remoteAddressDuplicate,
    remotePortRange,
    remotePortsDistinct,
    securityRequired,
    trustDomainFormat,
    trustDomainNotLocal,
    trustDomainTopology,
    clientIdFormat,
    clientIdTrustDomain,
    clientIdNamespace,
    certificateChainKind,
    certificateChainConfigMap,
    peerInControlPlaneNamespace,
    misplacedFieldRule<ServiceMeshPeer>('ServiceMeshPeer', SERVICE_MESH_PEER_FIELDS),
    unknownFieldRule<ServiceMeshPeer>('ServiceMeshPeer', SERVICE_MESH_PEER_FIELDS),
  ],
});
