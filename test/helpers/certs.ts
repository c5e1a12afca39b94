import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const script = new URL('../../certs/make-dev-certs.sh', import.meta.url).pathname;

/** A fresh throw-away CA + serving pair (via the project's own script) in a new temp dir. */
export function makeCerts(dir = mkdtempSync(join(tmpdir(), 'meshguard-certs-'))) {
  execFileSync('bash', [script, dir], { env: { ...process.env, FORCE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  return {
    dir,
    cert: join(dir, 'tls.crt'),
    key: join(dir, 'tls.key'),
    ca: join(dir, 'ca.crt'),
    caPem: readFileSync(join(dir, 'ca.crt'), 'utf8'),
  };
}
