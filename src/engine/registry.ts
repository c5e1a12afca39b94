// The table from API group + kind to pure functions. Adding a resource = one entry here via a family index.

import type { InventoryRule, KindSpec, RuleMeta } from './rule.ts';
import { gkKey, splitApiVersion, type KObject } from './types.ts';

export class Registry {
  readonly kinds: readonly KindSpec<unknown>[];
  readonly inventoryRules: readonly InventoryRule[];
  readonly #byGk = new Map<string, KindSpec<unknown>>();

  // KindSpec<T> is invariant in T (it both reads and receives T); the registry erases it on purpose.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  constructor(kinds: readonly KindSpec<any>[], inventoryRules: readonly InventoryRule[] = []) {
    this.kinds = kinds;
    this.inventoryRules = inventoryRules;
    for (const k of kinds) {
      const key = gkKey(k.group, k.kind);
      if (this.#byGk.has(key)) throw new Error(`kind ${key} registered twice`);
      this.#byGk.set(key, k);
    }
    this.allRules(); // throws on a duplicate rule ID
  }

  /** The spec serving this group/version/kind, or undefined for kinds and versions meshguard does not serve. */
  find(group: string, version: string, kind: string): KindSpec<unknown> | undefined {
    const spec = this.#byGk.get(gkKey(group, kind));
    return spec && spec.versions.includes(version) ? spec : undefined;
  }

  forObject(obj: KObject): KindSpec<unknown> | undefined {
    const { group, version } = splitApiVersion(obj.apiVersion);
    const spec = typeof obj.kind === 'string' ? this.find(group, version, obj.kind) : undefined;
    return spec && (!spec.applies || spec.applies(obj)) ? spec : undefined;
  }

  /** Every rule with the kinds it applies to, for docs and config validation. */
  allRules(): Array<RuleMeta & { kinds: string[] }> {
    const out: Array<RuleMeta & { kinds: string[] }> = [];
    const seen = new Map<string, RuleMeta & { kinds: string[] }>();
    const add = (r: RuleMeta, kind: string) => {
      const prev = seen.get(r.id);
      if (prev === r || (prev && sameMeta(prev, r))) {
        if (!prev.kinds.includes(kind)) prev.kinds.push(kind);
        return;
      }
      if (prev) throw new Error(`rule ${r.id} registered twice`);
      const entry = { ...r, kinds: [kind] };
      seen.set(r.id, entry);
      out.push(entry);
    };
    for (const k of this.kinds) for (const r of [...k.defaulters, ...k.validators]) add(r, k.kind);
    for (const r of this.inventoryRules) add(r, '(inventory)');
    return out;
  }
}

function sameMeta(a: RuleMeta, b: RuleMeta): boolean {
  return a.summary === b.summary && a.severity === b.severity && a.source === b.source;
}
