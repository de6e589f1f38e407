/**
 * The API server's TLS certificate: self-signed (EC P-256, its own CA), for 127.0.0.1, ::1,
 * localhost and this host's name, made at first start and kept in $DATA_DIR (apiserver.crt, and
 * apiserver.key with mode 0600). Kubernetes clients send a bearer token only over TLS, so the
 * kubeconfig carries this certificate as its certificate-authority-data.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';

export interface ServingCert {
  cert: string;
  key: string;
}

const TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000;

export async function ensureServingCert(dataDir: string): Promise<ServingCert> {
  const certFile = join(dataDir, 'apiserver.crt');
  const keyFile = join(dataDir, 'apiserver.key');
  if (existsSync(certFile) && existsSync(keyFile)) return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  const now = Date.now();
  const pems = await generate([{ name: 'commonName', value: 'kubeql-apiserver' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now - 3600_000),
    notAfterDate: new Date(now + TEN_YEARS_MS),
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', digitalSignature: true, keyCertSign: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
          { type: 2, value: 'localhost' },
          { type: 2, value: hostname() },
        ],
      },
    ],
  });
  writeFileSync(keyFile, pems.private, { mode: 0o600 });
  writeFileSync(certFile, pems.cert, { mode: 0o644 });
  return { cert: pems.cert, key: pems.private };
}
