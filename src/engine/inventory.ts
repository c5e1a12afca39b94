// Evaluating many objects at once (CLI inputs, an audit listing): each object through `evaluate`,
// then the cross-object rules over all of them, with findings attributed back to their objects.

import type { InventoryView, RuleContext } from './context.ts';
import { continueWithValidators, evaluateDefaults, runRule, type EvaluateOptions, type Evaluation, type RuleFailure } from './evaluate.ts';
import type { Registry } from './registry.ts';
import { gkKey, splitApiVersion, type Finding, type KObject } from './types.ts';

export interface InventoryResult<M> {
  items: Array<{ meta: M; object: KObject; evaluation: Evaluation }>;
  /** Findings of inventory rules that belong to no single object (skipped rules, rule failures). */
  general: Finding[];
  failures: RuleFailure[];
}

/**
 * Most findings of a large inventory say the same thing about different objects ("set
 * spec.remote.discoveryPort=8188: …" for every peer); keeping one copy of each text, for the length of
 * one evaluation, keeps 100k objects' findings in a fraction of the memory.
 */
class StringPool {
  readonly #pool = new Map<string, string>();

  #one(s: string): string {
    const hit = this.#pool.get(s);
    if (hit !== undefined) return hit;
    this.#pool.set(s, s);
    return s;
  }

  findings(list: Finding[], from = 0): void {
    for (let i = from; i < list.length; i++) {
      const f = list[i] as Finding;
      f.message = this.#one(f.message);
      f.path = this.#one(f.path);
      if (f.fix !== undefined) f.fix = this.#one(f.fix);
    }
  }
}

export class StaticInventory implements InventoryView {
  readonly #byGk = new Map<string, KObject[]>();
  constructor(objects: Iterable<KObject>) {
    for (const o of objects) {
      const key = gkKey(splitApiVersion(o.apiVersion).group, String(o.kind ?? ''));
      const list = this.#byGk.get(key);
      if (list) list.push(o);
      else this.#byGk.set(key, [o]);
    }
  }
  list(group: string, kind: string): readonly KObject[] {
    return this.#byGk.get(gkKey(group, kind)) ?? [];
  }
}

/**
 * `contextFor` gives each object its own context (namespace, operation); the inventory view is shared.
 * Inventory rules see objects as they would be stored (defaulted when defaults are on).
 */
export function evaluateInventory<M>(
  registry: Registry,
  entries: ReadonlyArray<{ meta: M; object: KObject }>,
  contextFor: (object: KObject) => RuleContext,
  opts: EvaluateOptions,
): InventoryResult<M> {
  // Defaulters run once per object without the inventory (they judge one object); the validators then
  // run with the inventory of every object as it would be stored.
  const shared = new StringPool();
  const items = entries.map((e) => {
    const evaluation = evaluateDefaults(registry, e.object, contextFor(e.object), opts);
    shared.findings(evaluation.findings);
    return { meta: e.meta, object: evaluation.defaulted, evaluation };
  });
  const inventory = new StaticInventory(items.map((it) => it.object));
  if (opts.validate) {
    items.forEach((it, i) => {
      const before = it.evaluation.findings.length;
      continueWithValidators(it.evaluation, { ...contextFor((entries[i] as { object: KObject }).object), inventory }, opts);
      shared.findings(it.evaluation.findings, before);
    });
  }

  const byObject = new Map<KObject, Finding[]>();
  items.forEach((it) => byObject.set(it.object, it.evaluation.findings));
  const failures: RuleFailure[] = [];
  const general: Finding[] = [];
  const baseCtx = { ...contextFor({}), inventory };
  for (const rule of registry.inventoryRules) {
    const sink = { findings: [] as Finding[], failures };
    const targets: KObject[] = [];
    runRule(rule, baseCtx, opts, sink, (report) =>
      rule.check(baseCtx, (target, path, message, fix, severity) => {
        targets.push(target);
        report(path, message, fix, severity);
      }),
    );
    // runRule appends the reported findings in order, or a single skip/failure finding when the body never reported.
    let t = 0;
    for (const f of sink.findings) {
      const target = f.rule === rule.id && t < targets.length ? targets[t++] : undefined;
      const list = target ? byObject.get(target) : undefined;
      if (list) list.push(f);
      else general.push(f);
    }
  }
  return { items, general, failures: [...items.flatMap((i) => i.evaluation.failures), ...failures] };
}
