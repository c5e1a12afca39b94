// Decode → engine → outcome. Knows nothing about HTTP; the server wraps it.

import type { ClusterLookups, RuleContext, TopologyView } from '../engine/context.ts';
import { defaultContext } from '../engine/context.ts';
import { evaluate, type Overrides } from '../engine/evaluate.ts';
import type { Registry } from '../engine/registry.ts';
import { str, type Finding, type KObject } from '../engine/types.ts';
import { decideMutation, decideValidation, type Mode } from './mode.ts';
import { buildReview, type AdmissionReviewOut, type Outcome } from './response.ts';
import type { AdmissionRequest } from './review.ts';

export type Webhook = 'validate' | 'mutate';

/** Whatever the server knows right now; read once per request, never fetched per request. */
export interface AdmissionState {
  topology?: TopologyView;
  lookups?: ClusterLookups;
  overrides?: Overrides;
  explainMutations: boolean;
  maxWarnings: number;
  clusterDomain: string;
}

export interface AdmissionResult {
  review: AdmissionReviewOut;
  /** What was decided, for logs and metrics. */
  kind: string;
  evaluated: boolean;
  outcome: 'allowed' | 'denied' | 'patched' | 'skipped';
  findings: Finding[];
  failures: Array<{ rule: string; error: unknown }>;
}

export function handleAdmission(
  registry: Registry,
  webhook: Webhook,
  mode: Mode,
  request: AdmissionRequest,
  state: AdmissionState,
): AdmissionResult {
  const kind = request.kind.kind;
  const skip = (): AdmissionResult => ({
    review: buildReview(request.uid, { allowed: true }),
    kind,
    evaluated: false,
    outcome: 'skipped',
    findings: [],
    failures: [],
  });
  // Deletes, connects and status writes carry nothing we judge; they pass untouched.
  if (request.operation === 'DELETE' || request.operation === 'CONNECT') return skip();
  if (request.subResource) return skip();
  const raw = request.object;
  if (!raw || typeof raw !== 'object') return skip();

  const obj: KObject = raw.apiVersion && raw.kind ? raw : { ...raw, apiVersion: gvString(request.kind), kind };
  const ctx: RuleContext = defaultContext({
    namespace: str(request.namespace) || str(obj.metadata?.namespace),
    operation: request.operation,
    mutationEnabled: webhook === 'mutate',
    clusterDomain: state.clusterDomain,
  });
  if (request.oldObject) ctx.oldObject = request.oldObject;
  if (state.topology) ctx.topology = state.topology;
  if (state.lookups) ctx.lookups = state.lookups;

  const evaluation = evaluate(registry, obj, ctx, {
    defaults: webhook === 'mutate',
    validate: webhook === 'validate',
    inPlace: true, // the request's object is ours (parsed from this body) and only its patch is sent back
    ...(state.overrides ? { overrides: state.overrides } : {}),
  });
  if (!evaluation.known) return skip();

  const label = { kind, namespace: ctx.namespace, name: str(request.name) || str(obj.metadata?.name) };
  let outcome: Outcome;
  if (webhook === 'validate') {
    outcome = decideValidation(label, evaluation.findings, { mode, maxWarnings: state.maxWarnings });
  } else {
    const defaulterIds = new Set(evaluation.kind?.defaulters.map((d) => d.id));
    outcome = decideMutation(evaluation.findings, evaluation.patch, {
      mode,
      maxWarnings: state.maxWarnings,
      explainMutations: state.explainMutations,
      defaulterIds,
    });
  }
  return {
    review: buildReview(request.uid, outcome),
    kind,
    evaluated: true,
    outcome: !outcome.allowed ? 'denied' : outcome.patch && outcome.patch.length > 0 ? 'patched' : 'allowed',
    findings: evaluation.findings,
    failures: evaluation.failures,
  };
}

function gvString(k: { group: string; version: string }): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}
