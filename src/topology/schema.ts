// MeshTopology (meshguard.io/v1alpha1, cluster-scoped): the network plan the mesh resources cannot carry
// themselves (design.md section 5). The fields of the design sketch are a contract: add, never rename.
// Shape only (no transforms, no defaults, unknown fields kept); the chart's CRD is generated from this
// schema by scripts/gen-crd.ts, so every `.describe()` here becomes the CRD's field documentation.

import { z } from 'zod';
import { resource } from '../rules/common/schema.ts';

export const TOPOLOGY_GROUP = 'meshguard.io';
export const TOPOLOGY_VERSION = 'v1alpha1';
export const TOPOLOGY_KIND = 'MeshTopology';
export const TOPOLOGY_PLURAL = 'meshtopologies';
export const TOPOLOGY_API_VERSION = `${TOPOLOGY_GROUP}/${TOPOLOGY_VERSION}`;

export const NETWORK_PLUGINS = ['flannel', 'terway'] as const;

export const vSwitchSchema = z.looseObject({
  id: z.string().describe('vSwitch ID, unique across all MeshTopology objects, e.g. vsw-bp1xxxxxxxx or vpc-hangzhou-switch-1'),
  zone: z.string().describe('Zone the vSwitch lives in, e.g. cn-hangzhou-j; it must belong to the VPC region'),
  cidr: z.string().optional().describe('IPv4 CIDR block of the vSwitch; must lie inside one of the VPC cidrs'),
  ipv6Cidr: z.string().optional().describe('IPv6 CIDR block of the vSwitch, if IPv6 is enabled; must lie inside one of the VPC cidrs'),
});

export const vpcSchema = z.looseObject({
  id: z.string().describe('VPC ID, unique across all MeshTopology objects'),
  region: z.string().describe('Region of the VPC, e.g. cn-hangzhou'),
  cidrs: z.array(z.string()).optional().describe('IPv4 and IPv6 CIDR blocks of the VPC (primary and secondary)'),
  vSwitches: z.array(vSwitchSchema).optional().describe('vSwitches of the VPC; no two vSwitch blocks may overlap, in this VPC or any other'),
});

export const clusterSchema = z.looseObject({
  id: z.string().describe('Cluster ID, unique across all MeshTopology objects, e.g. the ACK cluster ID'),
  name: z.string().optional().describe('Cluster name, unique; rules may refer to a cluster by ID or name'),
  region: z.string().optional().describe('Region of the cluster; must equal the region of its VPC'),
  vpc: z.string().optional().describe('ID of the VPC the cluster nodes run in'),
  network: z.string().optional().describe('Istio network name of the cluster (topology.istio.io/network)'),
  networkPlugin: z
    .enum(NETWORK_PLUGINS)
    .optional()
    .describe('flannel (default): pod CIDRs must overlap nothing; terway: pods take vSwitch addresses, so pod CIDRs are checked as vSwitch ranges'),
  zones: z.array(z.string()).optional().describe('Zones the cluster nodes run in; each must belong to the cluster region'),
  podCIDRs: z.array(z.string()).optional().describe('IPv4 and IPv6 pod CIDR blocks'),
  serviceCIDRs: z.array(z.string()).optional().describe('IPv4 and IPv6 service CIDR blocks'),
});

export const meshSchema = z.looseObject({
  name: z.string().describe('Mesh name, unique, e.g. the ASM instance name'),
  namespace: z.string().optional().describe('Namespace of the mesh control plane, unique across meshes'),
  trustDomain: z.string().optional().describe('SPIFFE trust domain of the mesh, unique across meshes'),
  vpc: z.string().optional().describe('VPC of a managed control plane (ASM), used by the PrivateLink rules'),
  clusters: z.array(z.string()).optional().describe('IDs or names of the member clusters'),
});

export const zoneSchema = z.looseObject({
  id: z.string().describe('Zone ID, e.g. cn-hangzhou-j'),
  region: z.string().describe('Region the zone belongs to; this statement wins over the naming convention'),
});

export const meshTopologySpecSchema = z.looseObject({
  vpcs: z.array(vpcSchema).optional().describe('VPCs with their region, CIDR blocks and vSwitches'),
  clusters: z.array(clusterSchema).optional().describe('Kubernetes clusters with their VPC, region and pod and service ranges'),
  meshes: z.array(meshSchema).optional().describe('Service meshes with their control-plane namespace, trust domain and member clusters'),
  zones: z.array(zoneSchema).optional().describe('Explicit zone → region statements, for zones whose names follow no known convention'),
});

export const meshTopologySchema = resource(meshTopologySpecSchema);

export type VSwitchSpec = z.infer<typeof vSwitchSchema>;
export type VpcSpec = z.infer<typeof vpcSchema>;
export type ClusterSpec = z.infer<typeof clusterSchema>;
export type MeshSpec = z.infer<typeof meshSchema>;
export type ZoneSpec = z.infer<typeof zoneSchema>;
export type MeshTopology = z.infer<typeof meshTopologySchema>;

export function isMeshTopology(obj: { apiVersion?: unknown; kind?: unknown }): boolean {
  return obj.apiVersion === TOPOLOGY_API_VERSION && obj.kind === TOPOLOGY_KIND;
}

/** How findings and view facts name a MeshTopology object. */
export function sourceName(name: string): string {
  return `${TOPOLOGY_KIND}/${name}`;
}
