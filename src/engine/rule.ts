// How a rule is written: metadata (for docs/rules.md and per-rule overrides) plus a pure function.

import type { z } from 'zod';
import type { ContextPart, RuleContext } from './context.ts';
import type { KObject, Severity } from './types.ts';

export interface RuleMeta {
  /** Stable `family/kebab-name`. */
  id: string;
  severity: Severity;
  /** Human summary for docs/rules.md: what it checks. */
  summary: string;
  /** Seed documents or upstream behaviour it comes from, e.g. `002` or `istio`. */
  source: string;
  /** Context parts the rule cannot run without; the engine skips it when one is absent. */
  needs?: readonly ContextPart[];
}

export interface Report {
  /** Records a finding at `path`. `severity` overrides the rule's own for this one finding. */
  (path: string, message: string, fix?: string, severity?: Severity): void;
}

export interface Validator<T> extends RuleMeta {
  check(obj: T, ctx: RuleContext, report: Report): void;
}

export interface SetDefault {
  /** Sets `value` at `path` only if absent; `why` becomes the warning text. Returns whether it was set. */
  (path: string, value: unknown, why: string): boolean;
}

export interface Defaulter<T> extends RuleMeta {
  /** Fills absent fields through `set`; must not modify `obj` directly. */
  apply(obj: T, ctx: RuleContext, set: SetDefault): void;
}

/** One kind the engine understands: its schema and its pure functions. */
export interface KindSpec<T = unknown> {
  group: string;
  kind: string;
  versions: readonly string[];
  plural: string;
  scope: 'Namespaced' | 'Cluster';
  /** Served by the admission webhooks (false: audit/CLI only, e.g. core ConfigMaps and Services). */
  admission: boolean;
  /** Optional filter: only objects it accepts are evaluated (e.g. the `istio` ConfigMap only). */
  applies?: (obj: KObject) => boolean;
  /** A zod schema that keeps unknown fields and has no transforms or defaults. */
  schema: z.ZodType<T>;
  defaulters: readonly Defaulter<T>[];
  validators: readonly Validator<T>[];
}

export interface InventoryReport {
  (target: KObject, path: string, message: string, fix?: string, severity?: Severity): void;
}

/** A rule over everything visible at once (CLI inputs, audit listing): reciprocity, name links, overlaps. */
export interface InventoryRule extends RuleMeta {
  check(ctx: RuleContext & { inventory: NonNullable<RuleContext['inventory']> }, report: InventoryReport): void;
}

export function defineValidator<T>(rule: Validator<T>): Validator<T> {
  return rule;
}
export function defineDefaulter<T>(rule: Defaulter<T>): Defaulter<T> {
  return rule;
}
export function defineKind<T>(spec: KindSpec<T>): KindSpec<T> {
  return spec;
}
export function defineInventoryRule(rule: InventoryRule): InventoryRule {
  return rule;
}
