// `meshguard audit`: one scan of the current kubeconfig's cluster, reported like `check`.

import { scanCluster } from '../audit/scan.ts';
import { loadKubeConfig, objectApi } from '../kube/client.ts';
import { buildRegistry } from '../rules/index.ts';
import { InputError } from './inputs.ts';
import { ReportBuilder } from './report.ts';

export async function runAuditCommand(opts: { kubeconfig?: string; output: 'text' | 'json'; pageSize: number; verbose?: boolean }): Promise<number> {
  const kc = loadKubeConfig(opts.kubeconfig);
  if (!kc) throw new InputError('no usable kubeconfig: pass --kubeconfig FILE or set KUBECONFIG');
  const scan = await scanCluster(objectApi(kc), buildRegistry(), { pageSize: opts.pageSize });
  const report = new ReportBuilder();
  for (const item of scan.result.items) {
    if (!item.evaluation.known) continue;
    report.resource();
    const m = item.object.metadata;
    const at = { file: 'cluster', index: 0, apiVersion: String(item.object.apiVersion), kind: String(item.object.kind), namespace: m?.namespace ?? '', name: m?.name ?? '' };
    for (const f of item.evaluation.findings) report.add(at, f);
  }
  for (const f of scan.result.general) report.add({ file: 'cluster', index: 0 }, f);
  for (const p of scan.problems) process.stderr.write(`meshguard: cannot list ${p.kind}${p.status ? ` (HTTP ${p.status})` : ''}: ${p.message}\n`);
  if (opts.output === 'json') process.stdout.write(JSON.stringify(report.json()) + '\n');
  else process.stdout.write(report.text(process.stdout, Boolean(opts.verbose)));
  if (scan.problems.some((p) => p.status === 401 || p.status === 403)) return 2;
  return report.errors > 0 ? 1 : 0;
}
