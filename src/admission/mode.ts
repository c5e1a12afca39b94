// Turning findings into an admission outcome under a mode (design.md section 3).

import type { AddOp } from '../engine/patch.ts';
import type { Finding } from '../engine/types.ts';
import { auditAnnotationKey, capWarnings, denialMessage, truncate, warningText, type ObjectLabel } from './messages.ts';
import type { Outcome } from './response.ts';

export const MODES = ['enforce', 'warn', 'audit'] as const;
export type Mode = (typeof MODES)[number];

export function isMode(s: unknown): s is Mode {
  return typeof s === 'string' && (MODES as readonly string[]).includes(s);
}

export interface DecideOptions {
  mode: Mode;
  maxWarnings: number;
}

/** Validating webhook: enforce denies on errors; warn and audit admit and surface errors as warnings. */
export function decideValidation(obj: ObjectLabel, findings: readonly Finding[], opts: DecideOptions): Outcome {
  const errors = findings.filter((f) => f.severity === 'error');
  const warnings = findings.filter((f) => f.severity === 'warning');
  if (opts.mode === 'enforce' && errors.length > 0) {
    return { allowed: false, denial: denialMessage(obj, errors), warnings: capWarnings(warnings.map(warningText), opts.maxWarnings) };
  }
  const shown = [...errors, ...warnings];
  const outcome: Outcome = { allowed: true, warnings: capWarnings(shown.map(warningText), opts.maxWarnings) };
  if (opts.mode === 'audit' && shown.length > 0) outcome.auditAnnotations = auditAnnotations(shown);
  return outcome;
}

/** Mutating webhook: the patch (none in audit mode: only "would set" warnings) plus what was set, if asked. */
export function decideMutation(
  findings: readonly Finding[],
  patch: readonly AddOp[],
  opts: DecideOptions & { explainMutations: boolean; defaulterIds: ReadonlySet<string> },
): Outcome {
  const notes = findings.filter((f) => opts.defaulterIds.has(f.rule) && f.severity !== 'info');
  const failures = findings.filter((f) => !opts.defaulterIds.has(f.rule) && f.severity !== 'info');
  const dry = opts.mode === 'audit';
  const texts = [
    ...failures.map(warningText),
    ...(opts.explainMutations || dry ? notes.map((f) => truncate(`${dry ? 'would ' : ''}${f.message}`, 120)) : []),
  ];
  return { allowed: true, patch: dry ? [] : patch, warnings: capWarnings(texts, opts.maxWarnings) };
}

function auditAnnotations(findings: readonly Finding[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of findings) {
    const key = auditAnnotationKey(f.rule);
    const text = `${f.severity}: ${f.message}${f.path ? ` (${f.path})` : ''}`;
    out[key] = out[key] ? truncate(`${out[key]}; ${text}`, 1024) : truncate(text, 1024);
  }
  return out;
}
