// The one evaluation path behind the webhook, the audit and the CLI:
// schema check → defaulters (on a copy of the raw object, recording their adds) → validators on the result.

import type { z } from 'zod';
import type { ContextPart, RuleContext } from './context.ts';
import { cloneJson } from './clone.ts';
import { AddRecorder, type AddOp } from './patch.ts';
import { dotted } from './pointer.ts';
import type { Registry } from './registry.ts';
import type { KindSpec, RuleMeta } from './rule.ts';
import { nestsDeeperThan, type Finding, type KObject, type Severity } from './types.ts';
import { zodIssuePointer } from './zod-path.ts';

export type RuleOverride = Severity | 'off';
export type Overrides = ReadonlyMap<string, RuleOverride>;

export interface EvaluateOptions {
  /** Run defaulters (mutating admission, `check` without --no-defaults). */
  defaults: boolean;
  /** Run validators (validating admission, `check`). */
  validate: boolean;
  overrides?: Overrides;
  /**
   * Default the object itself rather than a copy, for callers that never look at the raw object again
   * (admission, `check`, the audit: each owns a freshly parsed object). Saves a copy per defaulted
   * object: a third of the memory of a 100k-object `check`. The patch is recorded either way.
   */
  inPlace?: boolean;
  /** Called when a rule throws; the evaluation goes on without it. */
  onRuleError?: (rule: string, error: unknown) => void;
}

export interface RuleFailure {
  rule: string;
  error: unknown;
}

export interface Evaluation {
  /** False when meshguard does not serve this kind/version: nothing was checked. */
  known: boolean;
  kind?: KindSpec<unknown>;
  findings: Finding[];
  /** The object as it would be stored (the raw object when nothing was defaulted). */
  defaulted: KObject;
  patch: AddOp[];
  failures: RuleFailure[];
  /** The object passed the kind's schema (stage 2 runs validators only then). */
  schemaOk: boolean;
}

export const SCHEMA_RULE = 'schema/invalid';
/** No Kubernetes schema nests anywhere near this; deeper objects are refused before recursive work. */
export const MAX_DEPTH = 256;
export const RULE_FAILED = 'engine/rule-failed';

const CONTEXT_HINT: Record<ContextPart, string> = {
  topology: 'a MeshTopology (apply one, or pass --topology FILE)',
  lookups: 'cluster lookups (a kubeconfig or in-cluster credentials)',
  inventory: 'the other objects (run `meshguard check` over all of them, or `meshguard audit`)',
};

export function evaluate(registry: Registry, raw: KObject, ctx: RuleContext, opts: EvaluateOptions): Evaluation {
  const out = evaluateDefaults(registry, raw, ctx, opts);
  if (opts.validate) continueWithValidators(out, ctx, opts);
  return out;
}

/** Stage 1: kind, depth and schema checks, then the defaulters (when asked) on a copy of the raw object, or on it (inPlace). */
export function evaluateDefaults(registry: Registry, raw: KObject, ctx: RuleContext, opts: EvaluateOptions): Evaluation {
  const kind = registry.forObject(raw);
  if (!kind) return { known: false, findings: [], defaulted: raw, patch: [], failures: [], schemaOk: false };
  const out: Evaluation = { known: true, kind, findings: [], defaulted: raw, patch: [], failures: [], schemaOk: false };
  if (nestsDeeperThan(raw, MAX_DEPTH)) {
    out.findings.push({ rule: SCHEMA_RULE, severity: 'error', path: '', message: `the object nests deeper than ${MAX_DEPTH} levels`, fix: 'flatten the object; no mesh resource needs this depth' });
    return out;
  }

  const parsed = kind.schema.safeParse(raw);
  if (!parsed.success) {
    out.findings.push(...schemaFindings(parsed.error));
    return out;
  }
  out.schemaOk = true;

  if (opts.defaults && kind.defaulters.length > 0) {
    const clone = (opts.inPlace ? raw : cloneJson(raw)) as Record<string, unknown>;
    const recorder = new AddRecorder();
    for (const d of kind.defaulters) {
      runRule(d, ctx, opts, out, (report) =>
        d.apply(clone as never, ctx, (path, value, why) => {
          const done = recorder.set(clone, path, value);
          if (done) report(path, `set ${dotted(path)}=${JSON.stringify(value)}: ${why}`);
          return done;
        }),
      );
    }
    out.patch = recorder.ops();
    out.defaulted = out.patch.length > 0 ? (clone as KObject) : raw;
  }
  return out;
}

/**
 * Stage 2: the validators on the object as it would be stored. `ctx` may know more than stage 1's did
 * (the inventory, once every object of a CLI run or an audit scan has been defaulted).
 */
export function continueWithValidators(out: Evaluation, ctx: RuleContext, opts: EvaluateOptions): Evaluation {
  const kind = out.kind;
  if (!kind || !out.schemaOk) return out;
  const target = out.defaulted;
  if (out.patch.length > 0) {
    const reparsed = kind.schema.safeParse(target);
    if (!reparsed.success) {
      out.schemaOk = false;
      out.findings.push(...schemaFindings(reparsed.error));
      return out;
    }
  }
  for (const v of kind.validators) runRule(v, ctx, opts, out, (report) => v.check(target as never, ctx, report));
  return out;
}

/** Runs one rule with context gating, overrides and fault isolation. */
export function runRule(
  rule: RuleMeta,
  ctx: RuleContext,
  opts: Pick<EvaluateOptions, 'overrides' | 'onRuleError'>,
  out: { findings: Finding[]; failures: RuleFailure[] },
  body: (report: (path: string, message: string, fix?: string, severity?: Severity) => void) => void,
): void {
  const override = opts.overrides?.get(rule.id);
  if (override === 'off') return;
  const missing = rule.needs?.find((part) => ctx[part] === undefined);
  if (missing) {
    out.findings.push({ rule: rule.id, severity: 'info', path: '', message: `skipped: needs ${CONTEXT_HINT[missing]}` });
    return;
  }
  const collected: Finding[] = [];
  try {
    body((path, message, fix, severity) => {
      const f: Finding = { rule: rule.id, severity: override ?? severity ?? rule.severity, path, message };
      if (fix !== undefined) f.fix = fix;
      collected.push(f);
    });
    out.findings.push(...collected);
  } catch (error) {
    out.failures.push({ rule: rule.id, error });
    out.findings.push({
      rule: RULE_FAILED,
      severity: 'warning',
      path: '',
      message: `rule ${rule.id} failed and was skipped: ${error instanceof Error ? error.message : String(error)}`,
    });
    opts.onRuleError?.(rule.id, error);
  }
}

function schemaFindings(error: z.ZodError): Finding[] {
  return error.issues.map((issue) => ({
    rule: SCHEMA_RULE,
    severity: 'error' as const,
    path: zodIssuePointer(issue.path),
    message: issue.message,
    fix: 'correct the field to the documented type and shape',
  }));
}
