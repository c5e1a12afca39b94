import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from 'node:test';
import tls from 'node:tls';
import { makeCerts } from '../../helpers/certs.ts';
import { portlessPeer, review } from '../../helpers/reviews.ts';

const main = new URL('../../../src/cli/main.ts', import.meta.url).pathname;

test('SIGTERM: stops accepting, finishes the in-flight request, exits 0', { timeout: 30_000 }, async () => {
  const certs = makeCerts();
  const child = spawn(process.execPath, [main, 'serve', '--port', '0', '--health-port', '0', '--host', '127.0.0.1'], {
    env: { ...process.env, MESHGUARD_TLS_CERT: certs.cert, MESHGUARD_TLS_KEY: certs.key },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const started = await new Promise<{ admissionPort: number }>((resolve, reject) => {
    child.stdout.on('data', () => {
      const line = out.split('\n').find((l) => l.includes('"server.started"'));
      if (line) resolve(JSON.parse(line));
    });
    child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });

  // Send headers and half the body, then SIGTERM, then the rest: the request must still be answered.
  const body = JSON.stringify(review(portlessPeer, { uid: 'inflight-1' }));
  const socket = tls.connect({ host: '127.0.0.1', port: started.admissionPort, ca: certs.caPem, servername: 'localhost' });
  await once(socket, 'secureConnect');
  socket.write(`POST /mutate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 50)}`);
  await new Promise((r) => setTimeout(r, 200));
  child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  let response = '';
  socket.on('data', (d) => (response += d));
  socket.write(body.slice(50));
  const [code] = await once(child, 'exit');
  assert.equal(code, 0);
  assert.match(response, /^HTTP\/1\.1 200/);
  assert.match(response, /"uid":"inflight-1"/);
  assert.match(out, /"server.stopped"/);
  // New connections are refused once it is gone.
  await assert.rejects(once(tls.connect({ host: '127.0.0.1', port: started.admissionPort, ca: certs.caPem, servername: 'localhost' }), 'secureConnect'));
});
