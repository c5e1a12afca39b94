// The floor for the admission benchmark: bare node:https with meshguard's TLS settings that reads the
// body, parses it, and answers `allowed: true` with the request's uid. What any Node webhook pays for
// TLS, HTTP and JSON; meshguard's figures are read as a ratio to it.
//
//   node bench/floor-server.ts CERT KEY   → prints {"port":N} when listening

import { readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { TLS12_CIPHERS, TLS_MIN_VERSION } from '../src/server/tls.ts';

const [certFile, keyFile] = process.argv.slice(2);
if (!certFile || !keyFile) {
  console.error('usage: node bench/floor-server.ts CERT KEY');
  process.exit(2);
}

const server = https.createServer(
  { cert: readFileSync(certFile), key: readFileSync(keyFile), minVersion: TLS_MIN_VERSION, ciphers: TLS12_CIPHERS, honorCipherOrder: true },
  (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let uid = '';
      try {
        uid = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { request?: { uid?: unknown } }).request?.uid ?? '');
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad json"}');
        return;
      }
      const body = JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
  },
);
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(JSON.stringify({ port: (server.address() as AddressInfo).port }) + '\n');
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
