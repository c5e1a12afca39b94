// IstioOperator (install.istio.io/v1alpha1) for multi-cluster, multi-network installs (seed 001): the
// mesh / network / cluster identity of the install, its meshNetworks, and its east-west gateway
// component (what gen-eastwest-gateway.sh generates: label topology.istio.io/network, env
// ISTIO_META_REQUESTED_NETWORK_VIEW, Service port 15443 named tls).

import type { RuleContext } from '../../engine/context.ts';
import { dotted, ptr } from '../../engine/pointer.ts';
import { defineKind, defineValidator, type Validator } from '../../engine/rule.ts';
import type { Severity } from '../../engine/types.ts';
import { CROSS_NETWORK_PORT, CROSS_NETWORK_PORT_NAME, EAST_WEST_GATEWAY_LABEL_VALUES } from './gateway.ts';
import { isPlaceholder, MESH_NETWORK_CHECKS } from './meshnetworks.ts';
import { INSTALL_GROUP, INSTALL_VERSIONS, istioOperatorSchema, type GatewayComponent, type IstioOperator } from './schema.ts';

type Tokens = Array<string | number>;

export const NETWORK_LABEL = 'topology.istio.io/network';
export const NETWORK_VIEW_ENV = 'ISTIO_META_REQUESTED_NETWORK_VIEW';

const GLOBAL: Tokens = ['spec', 'values', 'global'];
const MESH_NETWORKS: Tokens = [...GLOBAL, 'meshNetworks'];

const globalOf = (obj: IstioOperator) => obj.spec?.values?.global ?? undefined;

/** An enabled ingress gateway component that is an east-west gateway (seed 001). */
export function eastWestComponents(obj: IstioOperator): Array<{ component: GatewayComponent; tokens: Tokens }> {
  const out: Array<{ component: GatewayComponent; tokens: Tokens }> = [];
  (obj.spec?.components?.ingressGateways ?? []).forEach((c, i) => {
    if (c.enabled === false) return;
    const byLabel = EAST_WEST_GATEWAY_LABEL_VALUES.includes(c.label?.istio ?? '');
    const byName = (c.name ?? '').includes('eastwestgateway');
    const byEnv = (c.k8s?.env ?? []).some((e) => e.name === NETWORK_VIEW_ENV);
    if (byLabel || byName || byEnv) out.push({ component: c, tokens: ['spec', 'components', 'ingressGateways', i] });
  });
  return out;
}

function hasMeshNetworks(obj: IstioOperator): boolean {
  return Object.keys(globalOf(obj)?.meshNetworks ?? {}).length > 0;
}

/** Why this install must carry a mesh identity, or undefined when it is single-network. */
function multiNetworkReason(obj: IstioOperator): string | undefined {
  if (hasMeshNetworks(obj)) return 'meshNetworks is set';
  if (eastWestComponents(obj).length > 0) return 'it installs an east-west gateway';
  return undefined;
}

function identityRule(id: string, severity: Severity, field: Tokens, what: string, why: string, fix: string): Validator<IstioOperator> {
  return defineValidator<IstioOperator>({
    id,
    severity,
    summary: `${dotted(ptr(...field))} is set when meshNetworks or an east-west gateway is present (${why})`,
    source: '001',
    check(obj, _ctx, report) {
      const reason = multiNetworkReason(obj);
      if (!reason) return;
      let v: unknown = obj;
      for (const t of field) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[t] : undefined;
      if (typeof v !== 'string' || v === '') report(ptr(...field), `${what} is not set, but ${reason}: ${why}`, fix);
    },
  });
}

export const meshIdRequired = identityRule(
  'istio-iop/mesh-id-required',
  'warning',
  [...GLOBAL, 'meshID'],
  'meshID',
  'Istio falls back to the trust domain, and every cluster of a multi-network mesh must state the same mesh ID',
  'set spec.values.global.meshID to the same value in every cluster (seed 001: proj-<PROJECT_NUMBER>)',
);
export const networkRequired = identityRule(
  'istio-iop/network-required',
  'error',
  [...GLOBAL, 'network'],
  'network',
  "without it this cluster's workloads and gateway have no network and cross-network routing cannot pick a gateway",
  "set spec.values.global.network to this cluster's network name (seed 001: NETWORK_1)",
);
export const clusterNameRequired = identityRule(
  'istio-iop/cluster-name-required',
  'error',
  [...GLOBAL, 'multiCluster', 'clusterName'],
  'multiCluster.clusterName',
  'every cluster would be called Kubernetes and their endpoints would collide',
  "set spec.values.global.multiCluster.clusterName to this cluster's unique name",
);

const known = (items: Iterable<string | undefined>) => {
  const s = [...new Set([...items].filter((x): x is string => !!x))].sort();
  return s.length ? s.join(', ') : '(none)';
};

export const clusterNotInTopology = defineValidator<IstioOperator>({
  id: 'istio-iop/cluster-not-in-topology',
  severity: 'error',
  summary: 'values.global.multiCluster.clusterName is a cluster of the MeshTopology',
  source: '001',
  needs: ['topology'],
  check(obj, ctx, report) {
    const name = globalOf(obj)?.multiCluster?.clusterName;
    if (!name || isPlaceholder(name) || ctx.topology!.clusters().length === 0) return;
    if (!ctx.topology!.cluster(name)) {
      report(ptr(...GLOBAL, 'multiCluster', 'clusterName'), `cluster ${JSON.stringify(name)} is not in the topology; known clusters: ${known(ctx.topology!.clusters().flatMap((c) => [c.name ?? c.id]))}`, 'use the cluster name or ID from the MeshTopology, or add the cluster to it');
    }
  },
});

export const networkDiffersFromTopology = defineValidator<IstioOperator>({
  id: 'istio-iop/network-differs-from-topology',
  severity: 'error',
  summary: "values.global.network equals the network the MeshTopology states for the cluster named in clusterName",
  source: '001',
  needs: ['topology'],
  check(obj, ctx, report) {
    const g = globalOf(obj);
    const name = g?.multiCluster?.clusterName;
    const network = g?.network;
    if (!name || !network || isPlaceholder(name) || isPlaceholder(network)) return;
    const cluster = ctx.topology!.cluster(name);
    if (cluster?.network && cluster.network !== network) {
      report(ptr(...GLOBAL, 'network'), `network is ${JSON.stringify(network)}, but the topology puts cluster ${name} on network ${JSON.stringify(cluster.network)} (${cluster.source})`, `set spec.values.global.network: ${cluster.network}, or correct the MeshTopology`);
    }
  },
});

function envValue(c: GatewayComponent, name: string): { value: string | undefined; index: number } | undefined {
  const env = c.k8s?.env ?? [];
  const index = env.findIndex((e) => e.name === name);
  return index < 0 ? undefined : { value: env[index]!.value ?? undefined, index };
}

export const eastWestNetworkLabel = defineValidator<IstioOperator>({
  id: 'istio-iop/eastwest-network-label',
  severity: 'error',
  summary: `an east-west gateway component carries the ${NETWORK_LABEL} label (istiod finds a network's gateway by it)`,
  source: '001',
  check(obj, _ctx, report) {
    for (const { component, tokens } of eastWestComponents(obj)) {
      if (!component.label?.[NETWORK_LABEL]) {
        const network = globalOf(obj)?.network ?? '<network>';
        report(ptr(...tokens, 'label'), `east-west gateway ${component.name ?? ''} has no ${NETWORK_LABEL} label, so istiod does not use it as the gateway of any network`, `add label ${NETWORK_LABEL}: ${network}`);
      }
    }
  },
});

export const eastWestNetworkMismatch = defineValidator<IstioOperator>({
  id: 'istio-iop/eastwest-network-mismatch',
  severity: 'error',
  summary: `the east-west gateway's ${NETWORK_LABEL} label, its ${NETWORK_VIEW_ENV} env and values.global.network name the same network`,
  source: '001',
  check(obj, _ctx, report) {
    const network = globalOf(obj)?.network ?? undefined;
    for (const { component, tokens } of eastWestComponents(obj)) {
      const label = component.label?.[NETWORK_LABEL];
      const view = envValue(component, NETWORK_VIEW_ENV);
      const stated: Array<{ what: string; value: string; path: string }> = [];
      if (network) stated.push({ what: 'values.global.network', value: network, path: ptr(...GLOBAL, 'network') });
      if (label) stated.push({ what: `label ${NETWORK_LABEL}`, value: label, path: ptr(...tokens, 'label', NETWORK_LABEL) });
      if (view?.value) stated.push({ what: `env ${NETWORK_VIEW_ENV}`, value: view.value, path: ptr(...tokens, 'k8s', 'env', view.index, 'value') });
      const live = stated.filter((s) => !isPlaceholder(s.value));
      const ref = live[0];
      if (!ref) continue;
      for (const s of live.slice(1)) {
        if (s.value !== ref.value) {
          report(s.path, `${s.what} is ${JSON.stringify(s.value)} but ${ref.what} is ${JSON.stringify(ref.value)}; the east-west gateway must serve its own cluster's network`, `set ${s.what} to ${ref.value}`);
        }
      }
    }
  },
});

export const eastWestNetworkView = defineValidator<IstioOperator>({
  id: 'istio-iop/eastwest-network-view',
  severity: 'warning',
  summary: `an east-west gateway component sets env ${NETWORK_VIEW_ENV} to its network, so it forwards only inside that network`,
  source: '001',
  check(obj, _ctx, report) {
    for (const { component, tokens } of eastWestComponents(obj)) {
      if (!envValue(component, NETWORK_VIEW_ENV)?.value) {
        const network = globalOf(obj)?.network ?? '<network>';
        report(ptr(...tokens, 'k8s', 'env'), `east-west gateway ${component.name ?? ''} has no ${NETWORK_VIEW_ENV}, so it may forward traffic on to other networks instead of into its own`, `add env {name: ${NETWORK_VIEW_ENV}, value: ${network}} under k8s.env`);
      }
    }
  },
});

export const eastWestPort = defineValidator<IstioOperator>({
  id: 'istio-iop/eastwest-port-15443',
  severity: 'error',
  summary: 'the east-west gateway Service exposes port 15443 (the cross-network port; the default gateway Service has no such port)',
  source: '001',
  check(obj, _ctx, report) {
    for (const { component, tokens } of eastWestComponents(obj)) {
      const ports = component.k8s?.service?.ports;
      if (!ports) {
        report(ptr(...tokens, 'k8s', 'service', 'ports'), `east-west gateway ${component.name ?? ''} sets no service ports, and the default gateway Service does not expose ${CROSS_NETWORK_PORT}`, `add k8s.service.ports with {name: ${CROSS_NETWORK_PORT_NAME}, port: ${CROSS_NETWORK_PORT}, targetPort: ${CROSS_NETWORK_PORT}} (plus status-port 15021)`);
      } else if (!ports.some((p) => p.port === CROSS_NETWORK_PORT)) {
        report(ptr(...tokens, 'k8s', 'service', 'ports'), `east-west gateway ${component.name ?? ''} Service ports [${ports.map((p) => p.port).join(', ')}] do not include ${CROSS_NETWORK_PORT}, the port other networks dial`, `add {name: ${CROSS_NETWORK_PORT_NAME}, port: ${CROSS_NETWORK_PORT}, targetPort: ${CROSS_NETWORK_PORT}}`);
      }
    }
  },
});

export const eastWestPortName = defineValidator<IstioOperator>({
  id: 'istio-iop/eastwest-port-name',
  severity: 'warning',
  summary: 'the east-west gateway Service port 15443 is named `tls` (the name selects TLS for the port)',
  source: '001',
  check(obj, _ctx, report) {
    for (const { component, tokens } of eastWestComponents(obj)) {
      (component.k8s?.service?.ports ?? []).forEach((p, i) => {
        if (p.port === CROSS_NETWORK_PORT && p.name !== CROSS_NETWORK_PORT_NAME) {
          report(ptr(...tokens, 'k8s', 'service', 'ports', i, 'name'), `Service port ${CROSS_NETWORK_PORT} is named ${JSON.stringify(p.name ?? '')}, not "${CROSS_NETWORK_PORT_NAME}"`, `set name: ${CROSS_NETWORK_PORT_NAME}`);
        }
      });
    }
  },
});

/** The shared meshNetworks checks, applied to values.global.meshNetworks. */
export const meshNetworksValidators: Array<Validator<IstioOperator>> = MESH_NETWORK_CHECKS.map((c) =>
  defineValidator<IstioOperator>({
    id: c.id,
    severity: c.severity,
    summary: c.summary,
    source: c.source,
    check(obj, _ctx: RuleContext, report) {
      const networks = globalOf(obj)?.meshNetworks;
      if (!networks) return;
      for (const issue of c.run(networks)) report(ptr(...MESH_NETWORKS, ...issue.rel), issue.message, issue.fix);
    },
  }),
);

export const istioOperatorKind = defineKind<IstioOperator>({
  group: INSTALL_GROUP,
  kind: 'IstioOperator',
  versions: INSTALL_VERSIONS,
  plural: 'istiooperators',
  scope: 'Namespaced',
  admission: true,
  schema: istioOperatorSchema,
  defaulters: [],
  validators: [
    meshIdRequired,
    networkRequired,
    clusterNameRequired,
    clusterNotInTopology,
    networkDiffersFromTopology,
    eastWestNetworkLabel,
    eastWestNetworkMismatch,
    eastWestNetworkView,
    eastWestPort,
    eastWestPortName,
    ...meshNetworksValidators,
  ],
});
