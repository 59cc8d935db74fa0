/**
 * Foyer's own certificate authority, for households that reach their server on the home
 * network only (no public name, so no ACME). The authority is created once and its
 * certificate installed on every household device; Foyer then issues its own server
 * certificate from it at each start and renews it while running.
 *
 * The authority is name-constrained (RFC 5280 §4.2.1.10): it can vouch only for `.local`
 * names, the names configured when it was made, and private or loopback addresses. A device
 * that trusts it therefore does not trust it for a bank's name, even if its key leaks.
 *
 * @peculiar/x509 builds the certificates on WebCrypto (it is already acme-client's X.509
 * layer); it is loaded only in this mode.
 */
import { isIP } from 'node:net';
import { X509Certificate as NodeX509, type webcrypto } from 'node:crypto';

import type * as X509Types from '@peculiar/x509';
import type * as Asn1X509Types from '@peculiar/asn1-x509';
import type * as Asn1SchemaTypes from '@peculiar/asn1-schema';

type X509Module = typeof X509Types;
type Asn1X509 = typeof Asn1X509Types;
type Asn1Schema = typeof Asn1SchemaTypes;

const DAY_MS = 24 * 3600 * 1000;
/** Ten years: household devices install the authority once. */
export const CA_LIFETIME_DAYS = 3650;
/** Short, like public certificates: a leaked server key is worthless within weeks. */
export const LEAF_LIFETIME_DAYS = 90;
/** Clocks of small boards drift before NTP: certificates start an hour in the past. */
const BACKDATE_MS = 3600 * 1000;
const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** Address ranges the authority may vouch for: loopback, private and link-local only. */
export const PERMITTED_RANGES = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '169.254.0.0/16',
  '::1/128',
  'fc00::/7',
  'fe80::/10',
] as const;

export interface Authority {
  certPem: string;
  keyPem: string;
}

interface Libs {
  x509: X509Module;
  asn1: Asn1X509;
  schema: Asn1Schema;
}

let libs: Promise<Libs> | undefined;
function load(): Promise<Libs> {
  libs ??= Promise.all([
    import('@peculiar/x509'),
    import('@peculiar/asn1-x509'),
    import('@peculiar/asn1-schema'),
  ]).then(([x509, asn1, schema]) => ({ x509, asn1, schema }));
  return libs;
}

/** DNS names the authority is constrained to: `local` (every `.local` name) and the others given. */
export function permittedDnsNames(names: readonly string[]): string[] {
  const out = new Set(['local']);
  for (const n of names) if (isIP(n) === 0 && !isLocalName(n)) out.add(n.toLowerCase());
  return [...out];
}

function isLocalName(name: string): boolean {
  const n = name.toLowerCase();
  return n === 'local' || n.endsWith('.local');
}

async function pemKey(x509: X509Module, key: webcrypto.CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await crypto.subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** Makes a new authority for `names` (the names its constraints will allow, see above). */
export async function createAuthority(
  names: readonly string[],
  now = Date.now(),
): Promise<Authority> {
  const { x509, asn1, schema } = await load();
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const constraints = new asn1.NameConstraints({
    permittedSubtrees: new asn1.GeneralSubtrees([
      ...permittedDnsNames(names).map(
        (dNSName) => new asn1.GeneralSubtree({ base: new asn1.GeneralName({ dNSName }) }),
      ),
      ...PERMITTED_RANGES.map(
        (iPAddress) => new asn1.GeneralSubtree({ base: new asn1.GeneralName({ iPAddress }) }),
      ),
    ]),
  });
  const day = new Date(now).toISOString().slice(0, 10);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: `CN=Foyer household authority ${day}, O=Foyer`,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + CA_LIFETIME_DAYS * DAY_MS),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      // pathLength 0: it signs server certificates, never another authority.
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign,
        true,
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      new x509.Extension(
        asn1.id_ce_nameConstraints,
        true,
        schema.AsnConvert.serialize(constraints),
      ),
    ],
  });
  return { certPem: cert.toString('pem'), keyPem: await pemKey(x509, keys.privateKey) };
}

/**
 * Names the authority's constraints do not allow (the server certificate would be refused
 * for them): a non-`.local` name it was not made for, or a public address.
 */
export async function uncoveredNames(ca: Authority, names: readonly string[]): Promise<string[]> {
  const { x509, asn1, schema } = await load();
  const ext = new x509.X509Certificate(ca.certPem).getExtension(asn1.id_ce_nameConstraints);
  const allowed = new Set<string>();
  if (ext !== null) {
    const parsed = schema.AsnConvert.parse(ext.value, asn1.NameConstraints);
    for (const s of parsed.permittedSubtrees ?? []) {
      if (s.base.dNSName !== undefined) allowed.add(s.base.dNSName.toLowerCase());
    }
  }
  return names.filter((n) => {
    if (isIP(n) !== 0) return !inPermittedRange(n);
    const lower = n.toLowerCase();
    return ![...allowed].some((a) => lower === a || lower.endsWith(`.${a}`));
  });
}

/** Whether an address is loopback, private or link-local (PERMITTED_RANGES). */
export function inPermittedRange(address: string): boolean {
  if (isIP(address) === 4) {
    const [a, b] = address.split('.').map(Number) as [number, number];
    return (
      a === 127 ||
      a === 10 ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 169 && b === 254)
    );
  }
  const v6 = address.toLowerCase();
  return v6 === '::1' || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6);
}

/** Issues a server certificate for `names` (DNS names and addresses) from the authority. */
export async function issueServerCertificate(
  ca: Authority,
  names: readonly string[],
  now = Date.now(),
): Promise<{ cert: string; key: string }> {
  const { x509 } = await load();
  const caCert = new x509.X509Certificate(ca.certPem);
  const caKey = await crypto.subtle.importKey(
    'pkcs8',
    x509.PemConverter.decodeFirst(ca.keyPem),
    ALG,
    false,
    ['sign'],
  );
  const keys = await crypto.subtle.generateKey(ALG, true, ['sign', 'verify']);
  const leaf = await x509.X509CertificateGenerator.create({
    subject: `CN=${names[0] ?? 'foyer'}`,
    issuer: caCert.subject,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + LEAF_LIFETIME_DAYS * DAY_MS),
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: caKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(
        names.map((value) => ({ type: isIP(value) === 0 ? 'dns' : 'ip', value })),
      ),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey),
    ],
  });
  // Leaf then authority: clients that were given the authority find the chain either way.
  return {
    cert: `${leaf.toString('pem')}\n${ca.certPem}`,
    key: await pemKey(x509, keys.privateKey),
  };
}

/** The authority's certificate as devices install it: DER bytes and its SHA-256 fingerprint. */
export function authorityDownload(certPem: string): { der: Buffer; fingerprint: string } {
  const cert = new NodeX509(certPem);
  return { der: cert.raw, fingerprint: cert.fingerprint256 };
}
