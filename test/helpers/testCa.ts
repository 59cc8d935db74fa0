/**
 * A private certificate authority for tests, made with the openssl CLI: its certificate, and
 * server certificates it signs for a domain and the addresses it is reached at. Only tests
 * shell out to openssl; the server reads the PEM files.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

function openssl(args: string[], cwd: string): void {
  const r = spawnSync('openssl', args, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`openssl ${args[0]} failed: ${r.stderr}`);
}

export interface TestCa {
  /** The authority's certificate (PEM file), to trust. */
  caFile: string;
  /** Issues a server certificate; returns its PEM certificate and key files. */
  issue(domain: string, addresses: string[]): { cert: string; key: string };
}

/** A new authority in `dir` (Ed25519 keys: fast to make, accepted by Node's TLS). */
export function createTestCa(dir: string): TestCa {
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.pem');
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ed25519',
      '-nodes',
      '-keyout',
      caKey,
      '-out',
      caFile,
      '-days',
      '2',
      '-subj',
      '/CN=Foyer test authority',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  return {
    caFile,
    issue(domain, addresses) {
      const key = join(dir, `${domain}.key`);
      const csr = join(dir, `${domain}.csr`);
      const cert = join(dir, `${domain}.pem`);
      const ext = join(dir, `${domain}.ext`);
      openssl(
        [
          'req',
          '-newkey',
          'ed25519',
          '-nodes',
          '-keyout',
          key,
          '-out',
          csr,
          '-subj',
          `/CN=${domain}`,
        ],
        dir,
      );
      const san = [`DNS:${domain}`, ...addresses.map((a) => `IP:${a}`)].join(',');
      writeFileSync(ext, `subjectAltName=${san}\nbasicConstraints=CA:FALSE\n`);
      openssl(
        [
          'x509',
          '-req',
          '-in',
          csr,
          '-CA',
          caFile,
          '-CAkey',
          caKey,
          '-CAcreateserial',
          '-out',
          cert,
          '-days',
          '2',
          '-extfile',
          ext,
        ],
        dir,
      );
      return { cert, key };
    },
  };
}
