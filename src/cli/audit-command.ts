// `meshguard audit`: one scan of the current kubeconfig's cluster, reported like `check`
// (same text and JSON output; exit 0 clean, 1 error findings, 2 usage or a kind that could not be listed).

import { auditClients } from '../audit/clients.ts';
import { scanCluster } from '../audit/scan.ts';
import { loadKubeConfig } from '../kube/client.ts';
import { buildRegistry } from '../rules/index.ts';
import { InputError } from './inputs.ts';
import { ReportBuilder, writeStdout } from './report.ts';

export async function runAuditCommand(opts: { kubeconfig?: string; output: 'text' | 'json'; pageSize: number; verbose?: boolean }): Promise<number> {
  if (!Number.isInteger(opts.pageSize) || opts.pageSize < 1) throw new InputError('--page-size must be a positive integer');
  const kc = loadKubeConfig(opts.kubeconfig);
  if (!kc) throw new InputError('no usable kubeconfig: pass --kubeconfig FILE or set KUBECONFIG');
  const scan = await scanCluster(auditClients(kc).list, buildRegistry(), {
    pageSize: opts.pageSize,
    onApiError: (info, kind, willRetry, delay) => {
      if (willRetry) process.stderr.write(`meshguard: listing ${kind}: ${info.status ? `HTTP ${info.status}` : info.label}: ${info.message}; retrying in ${delay} ms\n`);
    },
  });
  const report = new ReportBuilder();
  for (const o of scan.objects) {
    report.resource();
    const at = { file: 'cluster', index: 0, apiVersion: o.ref.apiVersion, kind: o.ref.kind, namespace: o.ref.namespace, name: o.ref.name };
    for (const f of o.findings) report.add(at, f);
  }
  for (const f of scan.general) report.add({ file: 'cluster', index: 0 }, f);
  for (const p of scan.problems) process.stderr.write(`meshguard: cannot list ${p.kind}${p.status ? ` (HTTP ${p.status})` : ''}: ${p.message}\n`);
  if (opts.output === 'json') await report.writeJson(writeStdout);
  else process.stdout.write(report.text(process.stdout, Boolean(opts.verbose)));
  // A kind that could not be listed is unreadable input: the findings above may be incomplete or, for
  // cross-object rules, wrong. Same meaning as `check`'s 2.
  if (!scan.complete) return 2;
  return report.errors > 0 ? 1 : 0;
}
