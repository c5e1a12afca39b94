// Plain-HTTP health and metrics listener, separate from admission so probes never need TLS.

import express from 'express';
import type { Metrics } from './metrics.ts';

export interface ReadinessCheck {
  name: string;
  ready: () => boolean;
}

export function createHealthApp(metrics: Metrics, checks: readonly ReadinessCheck[]): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    const failing = checks.filter((c) => !c.ready()).map((c) => c.name);
    res.status(failing.length === 0 ? 200 : 503).json(failing.length === 0 ? { status: 'ready' } : { status: 'not ready', waitingFor: failing });
  });
  app.get('/metrics', async (_req, res) => {
    res.set('content-type', metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  app.use((req, res) => {
    res.status(404).json({ error: `no such endpoint: ${req.method} ${req.path}` });
  });
  return app;
}
