#!/usr/bin/env node
// meshguard's command line: `serve` (the webhook), `check` and `defaults` (CI), `audit` (one cluster scan).

import { Command, InvalidArgumentError, Option } from 'commander';
import { text } from 'node:stream/consumers';
import { isMode, MODES, type Mode } from '../admission/mode.ts';
import { buildRegistry } from '../rules/index.ts';
import { runCheck, runDefaults } from './check.ts';
import { InputError } from './inputs.ts';
import { writeStdout } from './report.ts';

const EXIT_OK = 0;
const EXIT_FINDINGS = 1;
const EXIT_USAGE = 2;

const readStdin = () => text(process.stdin);

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError('must be a port number 0..65535');
  return n;
}

function mode(value: string): Mode {
  if (!isMode(value)) throw new InvalidArgumentError(`must be one of ${MODES.join(', ')}`);
  return value;
}

function duration(value: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(value.trim());
  if (!m) throw new InvalidArgumentError('must be a duration like 90s, 10m or 1h (0 turns it off)');
  const unit = { ms: 0.001, s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
  return Number(m[1]) * unit;
}

function outputFormat(value: string): 'text' | 'json' {
  if (value !== 'text' && value !== 'json') throw new InvalidArgumentError('must be text or json');
  return value;
}

export function buildCli(): Command {
  const program = new Command('meshguard')
    .description('Admission webhook and checker that keeps service-mesh configuration from breaking a mesh')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .showHelpAfterError();

  const env = (o: Option, name: string) => o.env(`MESHGUARD_${name}`);
  program
    .command('serve')
    .description('run the admission webhook (HTTPS) with health and metrics (HTTP)')
    .addOption(env(new Option('--tls-cert <file>', 'serving certificate (PEM); reloaded when it changes').makeOptionMandatory(), 'TLS_CERT'))
    .addOption(env(new Option('--tls-key <file>', 'serving key (PEM); reloaded when it changes').makeOptionMandatory(), 'TLS_KEY'))
    .addOption(env(new Option('--port <port>', 'admission HTTPS port').argParser(port).default(8443), 'PORT'))
    .addOption(env(new Option('--health-port <port>', 'health and metrics HTTP port').argParser(port).default(8080), 'HEALTH_PORT'))
    .addOption(env(new Option('--host <address>', 'listen address').default('0.0.0.0'), 'HOST'))
    .addOption(env(new Option('--mode <mode>', 'mode for /validate and /mutate').argParser(mode).default('enforce'), 'MODE'))
    .addOption(env(new Option('--config <file>', 'config file (per-rule overrides), reloaded on change'), 'CONFIG'))
    .addOption(env(new Option('--kubeconfig <file>', 'kubeconfig for cluster lookups (else in-cluster, else none)'), 'KUBECONFIG'))
    .addOption(env(new Option('--topology <file>', 'MeshTopology file, reloaded on change (instead of watching the cluster)'), 'TOPOLOGY'))
    .addOption(env(new Option('--audit-interval <duration>', 'background audit interval, 0 = off').argParser(duration).default(0, '0'), 'AUDIT_INTERVAL'))
    .addOption(env(new Option('--audit-reports <bool>', 'write PolicyReports (false: log only)').default('true'), 'AUDIT_REPORTS'))
    .addOption(env(new Option('--events <bool>', 'write Kubernetes Events on the audit Lease when a scan\'s outcome changes').default('false'), 'EVENTS'))
    .addOption(env(new Option('--lease-namespace <ns>', 'namespace of the audit leader-election Lease').default('meshguard'), 'LEASE_NAMESPACE'))
    .addOption(env(new Option('--lease-name <name>', 'name of the audit leader-election Lease').default('meshguard-audit'), 'LEASE_NAME'))
    .addOption(env(new Option('--body-limit <bytes>', 'largest request body accepted').argParser(Number).default(8 * 1024 * 1024), 'BODY_LIMIT'))
    .action(async (opts) => {
      const { runServe } = await import('./serve-command.ts');
      await runServe(opts);
    });

  program
    .command('check')
    .description('check manifests as admission would (defaults, then validation); exit 0 clean, 1 errors, 2 usage')
    .argument('[paths...]', 'files, folders (recursive *.yaml|*.yml|*.json) or - for stdin')
    .option('--topology <file>', 'MeshTopology file (MeshTopology objects among the inputs are used too)')
    .addOption(new Option('-o, --output <format>', 'text or json').argParser(outputFormat).default('text'))
    .option('--no-defaults', 'validate as written, as if the mutating webhook were off')
    .option('-v, --verbose', 'also print notes (skipped rules)')
    .action(async (paths: string[], opts) => {
      const report = await runCheck(buildRegistry(), inputsOrStdin(paths), { topology: opts.topology, defaults: opts.defaults }, readStdin);
      if (opts.output === 'json') await report.writeJson(writeStdout);
      else process.stdout.write(report.text(process.stdout, Boolean(opts.verbose)));
      process.exitCode = report.errors > 0 ? EXIT_FINDINGS : EXIT_OK;
    });

  program
    .command('defaults')
    .description('print the manifests with defaults applied (what /mutate would store), as YAML')
    .argument('[paths...]', 'files, folders or - for stdin')
    .option('--topology <file>', 'MeshTopology file')
    .action(async (paths: string[], opts) => {
      process.stdout.write(await runDefaults(buildRegistry(), inputsOrStdin(paths), { topology: opts.topology, defaults: true }, readStdin));
    });

  program
    .command('audit')
    .description('scan the cluster of the current kubeconfig once; output and exit codes as check')
    .option('--kubeconfig <file>', 'kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)')
    .addOption(new Option('-o, --output <format>', 'text or json').argParser(outputFormat).default('text'))
    .option('--page-size <n>', 'objects per list page', (v) => Number(v), 500)
    .option('-v, --verbose', 'also print notes (skipped rules)')
    .action(async (opts) => {
      const { runAuditCommand } = await import('./audit-command.ts');
      process.exitCode = await runAuditCommand(opts);
    });
  return program;
}

function inputsOrStdin(paths: string[]): string[] {
  if (paths.length > 0) return paths;
  if (process.stdin.isTTY) throw new InputError('no input: give files or folders, or - to read stdin');
  return ['-'];
}

export async function main(argv: string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv);
  } catch (err) {
    const e = err as { code?: string; exitCode?: number; message?: string };
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') process.exitCode = EXIT_OK;
    else if (typeof e.code === 'string' && e.code.startsWith('commander.')) process.exitCode = EXIT_USAGE;
    else if (err instanceof InputError) {
      process.stderr.write(`meshguard: ${err.message}\n`);
      process.exitCode = EXIT_USAGE;
    } else {
      process.stderr.write(`meshguard: ${e.message ?? String(err)}\n`);
      process.exitCode = EXIT_USAGE;
    }
  }
}

if (import.meta.main) await main(process.argv);
