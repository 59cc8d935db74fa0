/**
 * The doctor's certificate check on real certificates made here (an authority and server
 * certificates issued at chosen times): in force, ending soon, expired, not yet valid, and
 * for another name.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAuthority, issueServerCertificate } from '../../../server/tls/localCa.ts';
import { checkAuthority, checkCertificate } from './certificate.ts';

const DAY = 24 * 3600 * 1000;

test('certificate check: valid, ending soon, expired, future, wrong name, by address', async () => {
  const now = Date.now();
  const ca = await createAuthority(['foyer.local']);
  const fresh = await issueServerCertificate(ca, ['foyer.local', '192.168.1.20'], now);
  const opts = { mode: 'local', now };
  const ok = checkCertificate('c', fresh.cert, 'foyer.local', opts);
  assert.equal(ok.status, 'ok', ok.detail);
  assert.equal(checkCertificate('c', fresh.cert, '192.168.1.20', opts).status, 'ok');

  // Issued 80 days ago: 10 days left of 90.
  const old = await issueServerCertificate(ca, ['foyer.local'], now - 80 * DAY);
  const soon = checkCertificate('c', old.cert, 'foyer.local', opts);
  assert.equal(soon.status, 'warn');
  assert.match(soon.detail, /ends in (9|10) days/);
  assert.equal(
    checkCertificate('c', old.cert, 'foyer.local', { ...opts, warnDays: 5 }).status,
    'ok',
  );

  const dead = await issueServerCertificate(ca, ['foyer.local'], now - 100 * DAY);
  const expired = checkCertificate('c', dead.cert, 'foyer.local', { mode: 'files', now });
  assert.equal(expired.status, 'fail');
  assert.match(expired.detail, /^expired on /);
  assert.match(expired.advice ?? '', /certbot renew/);

  const future = await issueServerCertificate(ca, ['foyer.local'], now + 10 * DAY);
  assert.match(checkCertificate('c', future.cert, 'foyer.local', opts).detail, /clock/);

  const other = checkCertificate('c', fresh.cert, 'maison.example', opts);
  assert.equal(other.status, 'fail');
  assert.match(
    other.detail,
    /does not cover maison\.example \(it covers DNS:foyer\.local, IP Address:192\.168\.1\.20\)/,
  );
  assert.match(other.advice ?? '', /tlsNames/);
  assert.equal(checkCertificate('c', fresh.cert, '192.168.1.21', opts).status, 'fail');

  assert.equal(checkCertificate('c', 'not a certificate', 'foyer.local', opts).status, 'fail');
});

test('authority check: fingerprint when sound, a warning in its last year, a failure once expired', async () => {
  const ca = await createAuthority(['foyer.local']);
  const now = Date.now();
  const good = checkAuthority(ca.certPem, now);
  assert.equal(good.status, 'ok');
  assert.match(good.detail, /SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  assert.equal(checkAuthority(ca.certPem, now + 3400 * DAY).status, 'warn');
  assert.equal(checkAuthority(ca.certPem, now + 3700 * DAY).status, 'fail');
});
