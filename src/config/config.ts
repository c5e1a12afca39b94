// meshguard's own config file (a ConfigMap in the chart): per-rule overrides and message shaping.

import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Overrides, RuleOverride } from '../engine/evaluate.ts';

const override = z.enum(['off', 'error', 'warning', 'info']);

export const configSchema = z.strictObject({
  /** Per-rule override: `off`, or another severity. */
  rules: z.record(z.string(), override).optional(),
  /** Explain each defaulted field as a warning in kubectl. */
  explainMutations: z.boolean().optional(),
  /** Warnings per response before "+N more". */
  maxWarnings: z.number().int().min(1).max(100).optional(),
  /** The cluster's DNS suffix, for rules about service names. */
  clusterDomain: z.string().min(1).optional(),
});

export interface MeshguardConfig {
  overrides: Overrides;
  explainMutations: boolean;
  maxWarnings: number;
  clusterDomain: string;
}

export const DEFAULT_CONFIG: MeshguardConfig = Object.freeze({
  overrides: new Map<string, RuleOverride>(),
  explainMutations: true,
  maxWarnings: 10,
  clusterDomain: 'svc.cluster.local',
});

/** Parses and checks a config file; unknown rule IDs are an error (a typo would silently do nothing). */
export function parseConfig(text: string, knownRules: ReadonlySet<string>): MeshguardConfig {
  const doc: unknown = text.trim() === '' ? {} : parseYaml(text);
  const parsed = configSchema.safeParse(doc ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`invalid config at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`);
  }
  const c = parsed.data;
  const unknown = Object.keys(c.rules ?? {}).filter((id) => !knownRules.has(id));
  if (unknown.length > 0) throw new Error(`unknown rule IDs in rules: ${unknown.join(', ')}`);
  return {
    overrides: new Map(Object.entries(c.rules ?? {})),
    explainMutations: c.explainMutations ?? DEFAULT_CONFIG.explainMutations,
    maxWarnings: c.maxWarnings ?? DEFAULT_CONFIG.maxWarnings,
    clusterDomain: c.clusterDomain ?? DEFAULT_CONFIG.clusterDomain,
  };
}
