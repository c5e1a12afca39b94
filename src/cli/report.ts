// `check` / `audit` output: the JSON contract of design.md section 4, or text for people.

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
   * findings, and one string of all of them would double the memory at the end of a run.
   */
  writeJson(write: (chunk: string) => void): void {
    const CHUNK = 1 << 20;
    let buf = '{"findings":[';
    this.#findings.forEach((f, i) => {
      buf += (i > 0 ? ',' : '') + JSON.stringify(f);
      if (buf.length >= CHUNK) {
        write(buf);
        buf = '';
      }
    });
    write(`${buf}],"summary":${JSON.stringify(this.summary())}}\n`);
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
