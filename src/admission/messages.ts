// What people read: denial lines for kubectl, short warnings, audit annotation keys.

import { dotted } from '../engine/pointer.ts';
import type { Finding } from '../engine/types.ts';

export const MAX_WARNING_LENGTH = 120;

export interface ObjectLabel {
  kind: string;
  namespace?: string;
  name?: string;
}

export function objectLabel(o: ObjectLabel): string {
  const name = o.name && o.name.length > 0 ? o.name : '<generated>';
  return `${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${name}`;
}

function where(f: Finding): string {
  // A defaulting note already names its field ("set spec.x=…"); don't repeat it.
  return f.path === '' || f.message.startsWith(`set ${dotted(f.path)}=`) ? '' : ` at ${dotted(f.path)}`;
}

/** Error lines in one denial; the apiserver hands the whole message to kubectl, so it must stay bounded. */
export const MAX_DENIAL_LINES = 20;

/** `meshguard denied <Kind> <ns>/<name>: [<rule>] <message> at <path>. Fix: <fix>`, one line per error finding. */
export function denialMessage(obj: ObjectLabel, errors: readonly Finding[]): string {
  const shown = errors.slice(0, MAX_DENIAL_LINES);
  const more = errors.length - shown.length;
  return shown
    .map((f) => truncate(`meshguard denied ${objectLabel(obj)}: [${f.rule}] ${stripDot(f.message)}${where(f)}.${f.fix ? ` Fix: ${f.fix}` : ''}`, 2048))
    .concat(more > 0 ? [`meshguard denied ${objectLabel(obj)}: +${more} more errors (run meshguard check for all)`] : [])
    .join('\n');
}

/** One short warning; kubectl prints it after "Warning: ", so we never add that prefix ourselves. */
export function warningText(f: Finding): string {
  return truncate(`[${f.rule}] ${stripDot(f.message)}${where(f)}`, MAX_WARNING_LENGTH);
}

/** Warnings capped at `max` entries; the last says how many more were left out. */
export function capWarnings(texts: readonly string[], max: number): string[] {
  const unique = [...new Set(texts)];
  if (unique.length <= max) return unique;
  const kept = unique.slice(0, Math.max(0, max - 1));
  return [...kept, `+${unique.length - kept.length} more meshguard findings (run meshguard check for all)`];
}

/**
 * The apiserver stores each audit annotation as `<webhook name>/<key>` and drops keys that are not a
 * qualified name, so the rule ID's slash becomes a dot: `asm-pvl/name-must-be-default` → `asm-pvl.name-must-be-default`.
 */
export function auditAnnotationKey(rule: string): string {
  return rule.replace(/\//g, '.').replace(/[^A-Za-z0-9_.-]/g, '-').slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

function stripDot(s: string): string {
  return s.endsWith('.') ? s.slice(0, -1) : s;
}
