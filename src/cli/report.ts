// `check` / `audit` output: the JSON contract of design.md section 4, or text for people.

import { once } from 'node:events';
import { styleText } from 'node:util';
import { dotted } from '../engine/pointer.ts';
import type { Finding, Severity } from '../engine/types.ts';

export interface ReportedFinding {
  file: string;
  index: number;
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
  rule: string;
  severity: Severity;
  path: string;
  message: string;
}

export interface CheckReport {
  findings: ReportedFinding[];
  summary: { resources: number; errors: number; warnings: number };
}

export interface Located {
  file: string;
  index: number;
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
}

export class ReportBuilder {
  /** Kept in the documented shape so writing them needs no copy; fixes (text output only) beside them. */
  readonly #findings: ReportedFinding[] = [];
  readonly #fixes: Array<string | undefined> = [];
  #resources = 0;

  resource(): void {
    this.#resources++;
  }

  add(at: Located, f: Finding): void {
    this.#findings.push({
      file: at.file,
      index: at.index,
      apiVersion: at.apiVersion ?? '',
      kind: at.kind ?? '',
      namespace: at.namespace ?? '',
      name: at.name ?? '',
      rule: f.rule,
      severity: f.severity,
      path: f.path,
      message: f.message,
    });
    this.#fixes.push(f.fix || undefined);
  }

  get errors(): number {
    return this.#findings.filter((f) => f.severity === 'error').length;
  }

  summary(): CheckReport['summary'] {
    return {
      resources: this.#resources,
      errors: this.errors,
      warnings: this.#findings.filter((f) => f.severity === 'warning').length,
    };
  }

  /** Exactly the documented shape: no extra keys, so parsers can rely on it. */
  json(): CheckReport {
    return { findings: this.#findings.map((f) => ({ ...f })), summary: this.summary() };
  }

  /**
   * The same bytes as `JSON.stringify(json()) + '\n'`, written in pieces: 100k resources give ~300k
   * findings, and one string of all of them would double the memory at the end of a run. `write` may
   * return a promise (waiting for a pipe to drain) so no more than a piece is queued at a time.
   */
  async writeJson(write: (chunk: string) => void | Promise<void>): Promise<void> {
    const CHUNK = 1 << 20;
    let buf = '{"findings":[';
    const q = quoter();
    for (let i = 0; i < this.#findings.length; i++) {
      const f = this.#findings[i] as ReportedFinding;
      // JSON.stringify(f), field by field: the same few files, kinds and messages repeat thousands of times.
      buf +=
        `${i > 0 ? ',' : ''}{"file":${q(f.file)},"index":${JSON.stringify(f.index)},"apiVersion":${q(f.apiVersion)},"kind":${q(f.kind)},` +
        `"namespace":${q(f.namespace)},"name":${q(f.name)},"rule":${q(f.rule)},"severity":${q(f.severity)},"path":${q(f.path)},"message":${q(f.message)}}`;
      if (buf.length >= CHUNK) {
        await write(buf);
        buf = '';
      }
    }
    await write(`${buf}],"summary":${JSON.stringify(this.summary())}}\n`);
  }

  text(stream: NodeJS.WriteStream, verbose: boolean): string {
    const paint = (style: Parameters<typeof styleText>[0], s: string) => styleText(style, s, { stream });
    const lines: string[] = [];
    this.#findings.forEach((f, i) => {
      if (f.severity === 'info' && !verbose) return;
      const fix = this.#fixes[i];
      const sev = f.severity === 'error' ? paint('red', 'error') : f.severity === 'warning' ? paint('yellow', 'warning') : paint('dim', 'info');
      const obj = f.kind ? `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}` : '';
      // A defaulting note already names its field ("set spec.x=…"); don't repeat it.
      const at = f.path && !f.message.startsWith(`set ${dotted(f.path)}=`) ? ` at ${dotted(f.path)}` : '';
      lines.push(`${f.file}:${f.index + 1}: ${sev} ${obj}: [${f.rule}] ${f.message}${at}${fix ? `\n    fix: ${fix}` : ''}`);
    });
    const s = this.summary();
    const infos = this.#findings.filter((f) => f.severity === 'info').length;
    lines.push(
      `${s.resources} resources checked: ${s.errors} errors, ${s.warnings} warnings${infos > 0 && !verbose ? ` (${infos} notes hidden; --verbose shows them)` : ''}`,
    );
    return lines.join('\n') + '\n';
  }
}

/** JSON.stringify for strings, remembering the texts it has quoted (bounded). */
function quoter(): (s: string) => string {
  const seen = new Map<string, string>();
  return (s) => {
    let quoted = seen.get(s);
    if (quoted === undefined) {
      quoted = JSON.stringify(s);
      if (seen.size >= 50_000) seen.clear();
      seen.set(s, quoted);
    }
    return quoted;
  };
}

/** Writes to stdout and, when a pipe's buffer is full, waits for it to drain instead of queueing in memory. */
export async function writeStdout(chunk: string): Promise<void> {
  if (!process.stdout.write(chunk)) await once(process.stdout, 'drain');
}
