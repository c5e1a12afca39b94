// Gateway (networking.istio.io): the cross-network server of an east-west gateway (seed 001's
// expose-services Gateway). Traffic between networks arrives mTLS-encrypted with the target service in
// the SNI; the gateway must pass it through untouched (AUTO_PASSTHROUGH) on the port the other
// networks dial (15443, named `tls` by convention), for every service (`*.local`).

import { ptr } from '../../engine/pointer.ts';
import { defineDefaulter, defineKind, defineValidator } from '../../engine/rule.ts';
import { gatewaySchema, NETWORKING_GROUP, NETWORKING_VERSIONS, type Gateway, type GatewayServer } from './schema.ts';

export const CROSS_NETWORK_PORT = 15443;
export const CROSS_NETWORK_PORT_NAME = 'tls';
export const CROSS_NETWORK_HOST = '*.local';
export const AUTO_PASSTHROUGH = 'AUTO_PASSTHROUGH';
export const EAST_WEST_GATEWAY_LABEL_VALUES = ['eastwestgateway', 'istio-eastwestgateway'];

/** Whether the Gateway's selector picks an east-west gateway deployment (istio: eastwestgateway or similar). */
export function selectsEastWest(gw: Gateway): boolean {
  return Object.values(gw.spec.selector ?? {}).some((v) => EAST_WEST_GATEWAY_LABEL_VALUES.includes(v));
}

const dnsPart = (host: string) => (host.includes('/') ? host.slice(host.indexOf('/') + 1) : host);

/** Whether one of the hosts lets every `*.local` service through (`*.local`, `*`, optionally `ns/`-prefixed). */
export function hostsCoverLocal(hosts: readonly string[] | null | undefined): boolean {
  return (hosts ?? []).some((h) => {
    const d = dnsPart(h);
    return d === '*' || d === CROSS_NETWORK_HOST;
  });
}

const isAutoPassthrough = (s: GatewayServer) => s.tls?.mode === AUTO_PASSTHROUGH;

/**
 * The servers that carry cross-network traffic: AUTO_PASSTHROUGH ones, and on an east-west gateway the
 * ones on port 15443 or for `*.local` (so a wrong TLS mode there is caught; istiod's own exposure on
 * 15012/15017 is not one of them).
 */
export function crossNetworkServers(gw: Gateway): Array<{ server: GatewayServer; index: number }> {
  const eastWest = selectsEastWest(gw);
  const out: Array<{ server: GatewayServer; index: number }> = [];
  (gw.spec.servers ?? []).forEach((server, index) => {
    const byPort = server.port?.number === CROSS_NETWORK_PORT;
    const byHost = (server.hosts ?? []).some((h) => dnsPart(h) === CROSS_NETWORK_HOST);
    if (isAutoPassthrough(server) || (eastWest && (byPort || byHost))) out.push({ server, index });
  });
  return out;
}

export const defaultAutoPassthroughServer = defineDefaulter<Gateway>({
  id: 'istio-gw/default-auto-passthrough-server',
  severity: 'warning',
  summary: `an AUTO_PASSTHROUGH server without port or hosts gets port {number: ${CROSS_NETWORK_PORT}, name: ${CROSS_NETWORK_PORT_NAME}, protocol: TLS} and hosts ["${CROSS_NETWORK_HOST}"] (only the absent fields)`,
  source: '001',
  apply(obj, _ctx, set) {
    (obj.spec.servers ?? []).forEach((server, i) => {
      if (!isAutoPassthrough(server)) return;
      const why = 'the cross-network port of seed 001\'s east-west gateway';
      set(ptr('spec', 'servers', i, 'port', 'number'), CROSS_NETWORK_PORT, why);
      set(ptr('spec', 'servers', i, 'port', 'name'), CROSS_NETWORK_PORT_NAME, why);
      set(ptr('spec', 'servers', i, 'port', 'protocol'), 'TLS', 'AUTO_PASSTHROUGH routes on the TLS SNI');
      set(ptr('spec', 'servers', i, 'hosts'), [CROSS_NETWORK_HOST], 'expose every mesh service across networks (seed 001)');
    });
  },
});

export const crossNetworkAutoPassthrough = defineValidator<Gateway>({
  id: 'istio-gw/cross-network-auto-passthrough',
  severity: 'error',
  summary: 'a cross-network server (AUTO_PASSTHROUGH, or port 15443 / *.local on an east-west gateway) uses protocol TLS with tls.mode AUTO_PASSTHROUGH',
  source: '001',
  check(obj, _ctx, report) {
    for (const { server, index } of crossNetworkServers(obj)) {
      const protocol = server.port?.protocol;
      if (typeof protocol !== 'string' || protocol.toUpperCase() !== 'TLS') {
        report(ptr('spec', 'servers', index, 'port', 'protocol'), `cross-network server has protocol ${JSON.stringify(protocol ?? '')}; traffic from other networks is mTLS routed by SNI, which needs TLS`, `set spec.servers[${index}].port.protocol: TLS`);
      }
      if (!isAutoPassthrough(server)) {
        report(ptr('spec', 'servers', index, 'tls', 'mode'), `cross-network server has tls.mode ${JSON.stringify(server.tls?.mode ?? '')}; only AUTO_PASSTHROUGH forwards the peers' mTLS untouched to the target service`, `set spec.servers[${index}].tls.mode: AUTO_PASSTHROUGH`);
      }
    }
  },
});

export const crossNetworkPort = defineValidator<Gateway>({
  id: 'istio-gw/cross-network-port',
  severity: 'warning',
  summary: 'a cross-network server listens on port 15443, the port other networks dial',
  source: '001',
  check(obj, _ctx, report) {
    for (const { server, index } of crossNetworkServers(obj)) {
      const n = server.port?.number;
      if (typeof n === 'number' && n !== CROSS_NETWORK_PORT) {
        report(ptr('spec', 'servers', index, 'port', 'number'), `cross-network server listens on ${n}; other networks reach east-west gateways on ${CROSS_NETWORK_PORT} unless meshNetworks says otherwise`, `set spec.servers[${index}].port.number: ${CROSS_NETWORK_PORT}, or make sure every meshNetworks gateway entry uses port ${n}`);
      }
    }
  },
});

export const crossNetworkPortName = defineValidator<Gateway>({
  id: 'istio-gw/cross-network-port-name',
  severity: 'warning',
  summary: 'a cross-network server port is named `tls`, like the east-west gateway Service port',
  source: '001',
  check(obj, _ctx, report) {
    for (const { server, index } of crossNetworkServers(obj)) {
      const name = server.port?.name;
      if (typeof name === 'string' && name !== CROSS_NETWORK_PORT_NAME) {
        report(ptr('spec', 'servers', index, 'port', 'name'), `cross-network server port is named ${JSON.stringify(name)}, not "${CROSS_NETWORK_PORT_NAME}" as on the east-west gateway Service`, `set spec.servers[${index}].port.name: ${CROSS_NETWORK_PORT_NAME}`);
      }
    }
  },
});

export const crossNetworkHosts = defineValidator<Gateway>({
  id: 'istio-gw/cross-network-hosts',
  severity: 'warning',
  summary: 'a cross-network server exposes every service: its hosts include "*.local" (or "*")',
  source: '001',
  check(obj, _ctx, report) {
    for (const { server, index } of crossNetworkServers(obj)) {
      if (server.hosts === undefined || server.hosts === null) continue; // the defaulter fills it; Istio requires hosts anyway
      if (!hostsCoverLocal(server.hosts)) {
        report(ptr('spec', 'servers', index, 'hosts'), `cross-network server hosts [${server.hosts.join(', ')}] do not cover "*.local", so services outside them are unreachable from other networks`, `add "${CROSS_NETWORK_HOST}" to spec.servers[${index}].hosts (seed 001 exposes all services), or keep the list if the restriction is intended`);
      }
    }
  },
});

export const gatewayKind = defineKind<Gateway>({
  group: NETWORKING_GROUP,
  kind: 'Gateway',
  versions: NETWORKING_VERSIONS,
  plural: 'gateways',
  scope: 'Namespaced',
  admission: true,
  schema: gatewaySchema,
  defaulters: [defaultAutoPassthroughServer],
  validators: [crossNetworkAutoPassthrough, crossNetworkPort, crossNetworkPortName, crossNetworkHosts],
});
