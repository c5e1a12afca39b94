// Names and identities a federation is made of: DNS labels, gateway addresses, SPIFFE trust domains,
// client IDs, and the conventions (seed 004) that tie a peer's name to its mesh's namespace and gateways.

import { isIP } from 'node:net';
import type { RuleContext } from '../../engine/context.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const HOST_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i;
const TRUST_DOMAIN_LABEL = /^[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?$/;

export const DEFAULT_DISCOVERY_PORT = 8188;
export const DEFAULT_SERVICE_PORT = 15443;
export const ROOT_CERT_KEY = 'root-cert.pem';
const SYSTEM_SUFFIX = '-system';

/** RFC 1123 label as Kubernetes uses it: lower case, at most 63 characters. */
export function isDns1123Label(s: string): boolean {
  return s.length <= 63 && DNS1123_LABEL.test(s);
}

/** RFC 1123 subdomain as Kubernetes uses it (e.g. service account names). */
export function isDns1123Subdomain(s: string): boolean {
  return s.length <= 253 && s.split('.').every(isDns1123Label);
}

/** A lower-case DNS-1123 label close to `s`, for fix texts (`Green_Mesh` → `green-mesh`). */
export function toDns1123Label(s: string): string {
  const out = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return out === '' ? 'peer-mesh' : out;
}

/** Why `address` is not a host name or IP address a gateway can be reached at, or undefined when it is one. */
export function addressProblem(address: string): { problem: string; fix: string } | undefined {
  if (isIP(address) !== 0) return undefined;
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(address);
  if (scheme) {
    const host = address.slice(scheme[0].length).split(/[/:]/)[0] ?? '';
    return { problem: 'is a URL', fix: `write only the host name${host ? ` (${host})` : ''}; the ports go in discoveryPort and servicePort` };
  }
  const hostPort = /^(.*):(\d+)$/.exec(address);
  if (hostPort && (isIP(hostPort[1] ?? '') !== 0 || hostName(hostPort[1] ?? ''))) {
    return { problem: 'carries a port', fix: `write ${hostPort[1]} and set the port in spec.remote.discoveryPort or servicePort` };
  }
  if (/^\[.*\](:\d+)?$/.test(address)) {
    return { problem: 'is a bracketed IPv6 literal', fix: 'write the IPv6 address without brackets and port' };
  }
  if (!hostName(address)) {
    return { problem: 'is neither an IP address nor a DNS name', fix: 'write the DNS name or IP address of the peer mesh\'s federation ingress gateway' };
  }
  return undefined;
}

/** DNS host name (case-insensitive, one optional trailing dot, top label not all digits). */
function hostName(s: string): boolean {
  const name = s.endsWith('.') ? s.slice(0, -1) : s;
  if (name.length === 0 || name.length > 253) return false;
  const labels = name.split('.');
  if (!labels.every((l) => l.length <= 63 && HOST_LABEL.test(l))) return false;
  return !/^\d+$/.test(labels[labels.length - 1] ?? '');
}

/** The form duplicates are compared in: DNS is case-insensitive and a trailing dot changes nothing. */
export function normalizeAddress(address: string): string {
  return isIP(address) !== 0 ? address : address.toLowerCase().replace(/\.$/, '');
}

/**
 * Why `td` is not a SPIFFE trust domain name (lower-case letters, digits, `.`, `-`, `_`, non-empty
 * dot-separated labels), with a suggested correction, or undefined when it is one.
 */
export function trustDomainProblem(td: string): { problem: string; suggestion?: string } | undefined {
  if (td.trim() === '') return { problem: 'is empty' };
  if (td.startsWith('spiffe://')) {
    const rest = td.slice('spiffe://'.length).split('/')[0] ?? '';
    return { problem: 'carries the spiffe:// scheme', suggestion: rest };
  }
  if (td.includes('/')) return { problem: 'contains "/"', suggestion: td.split('/')[0] ?? '' };
  if (td.length > 255) return { problem: 'is longer than 255 characters' };
  if (td !== td.toLowerCase()) {
    const lower = td.toLowerCase();
    return { problem: 'contains upper-case letters', ...(trustDomainProblem(lower) ? {} : { suggestion: lower }) };
  }
  if (!td.split('.').every((l) => l.length <= 63 && TRUST_DOMAIN_LABEL.test(l))) {
    return { problem: 'is not a dot-separated name of lower-case letters, digits, "-" and "_"' };
  }
  return undefined;
}

export interface ClientId {
  trustDomain: string;
  namespace: string;
  serviceAccount: string;
}

/** `<trustDomain>/ns/<namespace>/sa/<serviceaccount>`, or undefined when `s` does not have that shape. */
export function parseClientId(s: string): ClientId | undefined {
  const parts = s.split('/');
  if (parts.length !== 5 || parts[1] !== 'ns' || parts[3] !== 'sa') return undefined;
  const [trustDomain = '', , namespace = '', , serviceAccount = ''] = parts;
  if (trustDomain === '' || namespace === '' || serviceAccount === '') return undefined;
  return { trustDomain, namespace, serviceAccount };
}

export function formatClientId(id: ClientId): string {
  return `${id.trustDomain}/ns/${id.namespace}/sa/${id.serviceAccount}`;
}

/** Namespace the object lives in: its own, else the request's. */
export function namespaceOf(obj: { metadata?: { namespace?: string | undefined } }, ctx: Pick<RuleContext, 'namespace'>): string {
  return obj.metadata?.namespace || ctx.namespace;
}

export interface Derived {
  value: string;
  /** Where the value comes from, for warnings and fix texts. */
  from: string;
}

/**
 * The mesh whose control plane lives in `namespace`: the MeshTopology's mesh there, else the
 * namespace without its `-system` suffix (the docs' `<mesh>-system` convention), else unknown.
 */
export function localMeshName(namespace: string, ctx: Pick<RuleContext, 'topology'>): Derived | undefined {
  const mesh = ctx.topology?.meshByNamespace(namespace);
  if (mesh) return { value: mesh.name, from: `MeshTopology mesh ${mesh.name} has its control plane in ${namespace}` };
  if (namespace.endsWith(SYSTEM_SUFFIX) && namespace.length > SYSTEM_SUFFIX.length) {
    return { value: namespace.slice(0, -SYSTEM_SUFFIX.length), from: `by the <mesh>-system convention for namespace ${namespace}` };
  }
  return undefined;
}

/** The peer mesh's control-plane namespace: from the MeshTopology, else `<peer name>-system`. */
export function peerSystemNamespace(peerName: string, ctx: Pick<RuleContext, 'topology'>): Derived {
  const ns = ctx.topology?.mesh(peerName)?.namespace;
  if (ns) return { value: ns, from: `MeshTopology mesh ${peerName} has its control plane in ${ns}` };
  return { value: `${peerName}${SYSTEM_SUFFIX}`, from: `by the <mesh>-system convention` };
}

/** Conventional peer trust domain (seed 004): `<peer name>.local`. */
export function conventionalTrustDomain(peerName: string): string {
  return `${peerName}.local`;
}

/** Conventional client ID (seed 004): the peer's egress gateway for this mesh, `egress-<local mesh>`. */
export function conventionalClientId(trustDomain: string, peerNamespace: string, localMesh: string): string {
  return formatClientId({ trustDomain, namespace: peerNamespace, serviceAccount: `egress-${localMesh}-service-account` });
}

/** Domain suffixes compare case-insensitively and without leading/trailing dots. */
export function normalizeDomain(s: string): string {
  return s.toLowerCase().replace(/^\.+|\.+$/g, '');
}
