// The admission express app. A factory that does not listen, so supertest can drive it.
// Transport concerns only: content type, size, decoding errors, logging and metrics around the handler.

import { str } from '../engine/types.ts';
import express, { type NextFunction, type Request, type Response } from 'express';
import { handleAdmission, type AdmissionState, type Webhook } from '../admission/handle.ts';
import { isMode, type Mode } from '../admission/mode.ts';
import { decodeReview } from '../admission/review.ts';
import type { Registry } from '../engine/registry.ts';
import type { Logger } from './logger.ts';
import { REQUEST_BUDGET_SECONDS, SLOW_FRACTION, type Metrics } from './metrics.ts';

/** An UPDATE review carries two objects of up to 1.5 MiB each (etcd's limit) as JSON, plus envelope. */
export const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;

export interface AppDeps {
  registry: Registry;
  mode: () => Mode;
  state: () => AdmissionState;
  log: Logger;
  metrics: Metrics;
  bodyLimit?: number;
}

export function createAdmissionApp(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  const jsonBody = express.json({ limit: deps.bodyLimit ?? DEFAULT_BODY_LIMIT, strict: true, type: () => true });

  app.post(['/validate', '/validate/:mode', '/mutate', '/mutate/:mode'], requireJson(deps), jsonBody, (req: Request, res: Response) => {
    const started = process.hrtime.bigint();
    const webhook: Webhook = req.path.startsWith('/mutate') ? 'mutate' : 'validate';
    const forced = req.params.mode;
    if (forced !== undefined && !isMode(forced)) return notFound(req, res);
    const mode: Mode = forced ?? deps.mode();

    const decoded = decodeReview(req.body);
    if (!decoded.ok) return badRequest(deps, res, 400, decoded.error);
    const request = decoded.request;
    const result = handleAdmission(deps.registry, webhook, mode, request, deps.state());
    res.status(200).json(result.review);

    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const labels = { webhook, kind: result.kind, operation: request.operation, outcome: result.outcome };
    deps.metrics.requests.inc(labels);
    deps.metrics.latency.observe(labels, seconds);
    if (seconds > REQUEST_BUDGET_SECONDS * SLOW_FRACTION) deps.metrics.slow.inc({ webhook });
    for (const f of result.findings) if (f.severity !== 'info') deps.metrics.findings.inc({ rule: f.rule, severity: f.severity, mode });
    for (const failure of result.failures) {
      deps.metrics.ruleErrors.inc({ rule: failure.rule });
      deps.log.error({ event: 'rule.failed', rule: failure.rule, uid: request.uid, err: failure.error }, 'rule threw; skipped');
    }
    deps.log.info(
      {
        event: 'admission.decision',
        uid: request.uid,
        webhook,
        kind: result.kind,
        namespace: request.namespace ?? '',
        name: request.name ?? str(request.object?.metadata?.name),
        operation: request.operation,
        dryRun: request.dryRun ?? false,
        mode,
        allowed: result.review.response.allowed,
        outcome: result.outcome,
        rules: [...new Set(result.findings.filter((f) => f.severity !== 'info').map((f) => f.rule))],
        latencyMs: Math.round(seconds * 1e6) / 1e3,
      },
      'admission decision',
    );
  });

  app.use(notFound);
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const e = err as { status?: number; type?: string; message?: string };
    const status = typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 400;
    const reason =
      e.type === 'entity.too.large'
        ? `request body exceeds the ${deps.bodyLimit ?? DEFAULT_BODY_LIMIT} byte limit`
        : e.type === 'entity.parse.failed'
          ? `body is not valid JSON: ${e.message ?? 'parse error'}`
          : (e.message ?? 'bad request');
    badRequest(deps, res, status, reason);
  });
  return app;
}

function requireJson(deps: AppDeps) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (req.is(['application/json', '+json'])) return next();
    badRequest(deps, res, 415, `content type must be application/json, got ${JSON.stringify(req.get('content-type') ?? '')}`);
  };
}

function notFound(req: Request, res: Response): void {
  res.status(404).json({ error: `no such endpoint: ${req.method} ${req.path}` });
}

function badRequest(deps: AppDeps, res: Response, code: number, error: string): void {
  deps.metrics.badRequests.inc({ code: String(code) });
  deps.log.warn({ event: 'admission.bad_request', code, error }, 'rejected request');
  if (!res.headersSent) res.status(code).json({ error });
}
