// Typed views of the rendered webhook configurations, RBAC and pod, and a label-selector evaluator
// that decides which webhook entry a namespace is sent to, the way the apiserver does.

import { one, ofKind, type K8sObject } from './helm.ts';

export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Requirement[];
}
export interface RuleWithOperations {
  apiGroups: string[];
  apiVersions: string[];
  operations: string[];
  resources: string[];
  scope?: string;
}
export interface WebhookEntry {
  name: string;
  admissionReviewVersions: string[];
  clientConfig: { url?: string; caBundle?: string; service?: { name: string; namespace: string; path?: string; port?: number } };
  failurePolicy: string;
  matchPolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
  reinvocationPolicy?: string;
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  rules: RuleWithOperations[];
}
export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  verbs: string[];
  nonResourceURLs?: string[];
}

export function webhooks(objects: readonly K8sObject[], kind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration'): WebhookEntry[] {
  return (one(objects, kind).webhooks ?? []) as WebhookEntry[];
}

export function allWebhooks(objects: readonly K8sObject[]): WebhookEntry[] {
  return [...webhooks(objects, 'ValidatingWebhookConfiguration'), ...webhooks(objects, 'MutatingWebhookConfiguration')];
}

export function path(w: WebhookEntry): string {
  if (w.clientConfig.service) return w.clientConfig.service.path ?? '/';
  return new URL(w.clientConfig.url ?? '').pathname;
}

/** Kubernetes label-selector semantics (an empty or absent selector matches everything). */
export function selects(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const r of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, r.key);
    const value = labels[r.key];
    const inValues = has && (r.values ?? []).includes(value as string);
    switch (r.operator) {
      case 'In':
        if (!inValues) return false;
        break;
      case 'NotIn':
        if (inValues) return false; // NotIn matches objects without the label
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${String(r.operator)}`);
    }
  }
  return true;
}

/** Labels a namespace carries in a real cluster (the apiserver sets kubernetes.io/metadata.name). */
export function namespaceLabels(name: string, extra: Record<string, string> = {}): Record<string, string> {
  return { 'kubernetes.io/metadata.name': name, ...extra };
}

function ruleMatches(rule: RuleWithOperations, group: string, version: string, resource: string, namespaced: boolean, operation: string): boolean {
  const scope = rule.scope ?? '*';
  const scopeOk = scope === '*' || (scope === 'Namespaced' ? namespaced : !namespaced);
  return (
    scopeOk &&
    (rule.apiGroups.includes(group) || rule.apiGroups.includes('*')) &&
    (rule.apiVersions.includes(version) || rule.apiVersions.includes('*')) &&
    (rule.resources.includes(resource) || rule.resources.includes('*')) &&
    (rule.operations.includes(operation) || rule.operations.includes('*'))
  );
}

export interface Request {
  group: string;
  version: string;
  resource: string;
  operation?: string;
  /** Namespace labels, or undefined for a cluster-scoped object (namespaceSelector never skips those). */
  namespace?: Record<string, string>;
}

/** The entries of one configuration the apiserver would call for this request. */
export function callees(entries: readonly WebhookEntry[], req: Request): WebhookEntry[] {
  const namespaced = req.namespace !== undefined;
  return entries.filter(
    (w) =>
      w.rules.some((r) => ruleMatches(r, req.group, req.version, req.resource, namespaced, req.operation ?? 'CREATE')) &&
      (!namespaced || selects(w.namespaceSelector, req.namespace ?? {})),
  );
}

export function rbacRules(objects: readonly K8sObject[], kind: 'ClusterRole' | 'Role'): PolicyRule[] {
  return ofKind(objects, kind).flatMap((r) => (r.rules ?? []) as PolicyRule[]);
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: Array<{ name: string; value?: string }>;
  ports?: Array<{ name: string; containerPort: number }>;
  securityContext?: Record<string, unknown>;
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  lifecycle?: { preStop?: { sleep?: { seconds: number } } };
}
export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: Record<string, unknown>;
  volumes?: Array<{ name: string; secret?: { secretName: string }; configMap?: { name: string }; emptyDir?: Record<string, unknown> }>;
  automountServiceAccountToken?: boolean;
  serviceAccountName?: string;
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  terminationGracePeriodSeconds?: number;
  topologySpreadConstraints?: Array<{ topologyKey: string; maxSkew: number; whenUnsatisfiable: string }>;
  priorityClassName?: string;
}

export function podSpec(objects: readonly K8sObject[]): PodSpec {
  const d = one(objects, 'Deployment') as K8sObject & { spec: { template: { spec: PodSpec } } };
  return d.spec.template.spec;
}

export function envOf(c: Container): Record<string, string | undefined> {
  return Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
}
