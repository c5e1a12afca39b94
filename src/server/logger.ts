import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON logs to stdout; LOG_LEVEL=debug for more. Object bodies are never logged at info. */
export function createLogger(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  return opts.destination ? pino({ level, base: { app: 'meshguard' } }, opts.destination) : pino({ level, base: { app: 'meshguard' } });
}
