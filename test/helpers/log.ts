import { Writable } from 'node:stream';
import { createLogger } from '../../src/server/logger.ts';

/** A logger whose JSON lines are kept in memory, so tests can assert on them. */
export function memoryLogger(level = 'info') {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _enc, cb) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      cb();
    },
  });
  return { log: createLogger({ level, destination: sink }), lines };
}
