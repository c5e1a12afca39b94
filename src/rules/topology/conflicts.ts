// topology/conflicting-definition: several MeshTopology objects merge into one view, and the same ID stated
// differently in two of them is a conflict. Over everything at once (CLI inputs, audit) it is an inventory
// rule; at admission (no inventory) the same check runs as a validator of the incoming object against the
// objects the topology view was built from. Both share one rule ID and metadata.

import { defineInventoryRule, defineValidator, type RuleMeta } from '../../engine/rule.ts';
import type { KObject } from '../../engine/types.ts';
import { CONFLICT_RULE, mergeFindings } from '../../topology/index.ts';
import { meshTopologySchema, TOPOLOGY_GROUP, TOPOLOGY_KIND, type MeshTopology } from './schema.ts';

const meta: RuleMeta = {
  id: CONFLICT_RULE,
  severity: 'error',
  summary: 'an ID (VPC, vSwitch, cluster, mesh, zone) stated in several MeshTopology objects is stated the same way in each',
  source: '003',
};

export const conflictingDefinition = defineValidator<MeshTopology>({
  ...meta,
  check(obj, ctx, report) {
    // With an inventory the inventory rule below reports every conflict once; this is the admission path.
    if (ctx.inventory) return;
    const own = obj.metadata.name ?? '';
    // Only objects that state one of this object's IDs can disagree with it; skip rebuilding the rest.
    const mineKeys = keysOf(obj as KObject);
    const others = (ctx.topology?.sources?.() ?? []).filter((o) => (o.metadata?.name ?? '') !== own && sharesKey(keysOf(o), mineKeys));
    if (others.length === 0) return;
    const mine = others.length;
    for (const f of mergeFindings([...others, obj as KObject])) {
      if (f.rule !== CONFLICT_RULE) continue;
      if (f.index === mine) report(f.path, f.message, f.fix);
      else if (f.other?.index === mine) report(f.other.path, f.message, f.fix);
    }
  },
});

const keyCache = new WeakMap<object, ReadonlySet<string>>();

/** The entity keys an object states (`VPC vpc-a`, `vSwitch vsw-1`, …); cached for the view's frozen sources. */
function keysOf(o: KObject): ReadonlySet<string> {
  const hit = keyCache.get(o);
  if (hit) return hit;
  const r = meshTopologySchema.safeParse(o);
  const keys = new Set<string>();
  if (r.success) {
    const { vpcs = [], clusters = [], meshes = [], zones = [] } = r.data.spec;
    for (const v of vpcs) {
      keys.add(`VPC ${v.id}`);
      for (const s of v.vSwitches ?? []) keys.add(`vSwitch ${s.id}`);
    }
    for (const c of clusters) keys.add(`cluster ${c.id}`);
    for (const m of meshes) keys.add(`mesh ${m.name}`);
    for (const z of zones) keys.add(`zone ${z.id}`);
  }
  if (Object.isFrozen(o)) keyCache.set(o, keys);
  return keys;
}

function sharesKey(a: ReadonlySet<string>, b: ReadonlySet<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  for (const k of small) if (large.has(k)) return true;
  return false;
}

export const conflictingDefinitionInventory = defineInventoryRule({
  ...meta,
  check(ctx, report) {
    const inputs = ctx.inventory.list(TOPOLOGY_GROUP, TOPOLOGY_KIND);
    const names = new Set(inputs.map((o) => o.metadata?.name));
    // Objects the topology knows that are not among the inputs (e.g. `check --topology FILE`) take part in
    // the merge; conflicts attributed to them are reported by whoever loaded them.
    const extra = (ctx.topology?.sources?.() ?? []).filter((o) => !names.has(o.metadata?.name));
    for (const f of mergeFindings([...inputs, ...extra])) {
      if (f.rule !== CONFLICT_RULE || f.index >= inputs.length) continue;
      report(inputs[f.index]!, f.path, f.message, f.fix);
    }
  },
});
