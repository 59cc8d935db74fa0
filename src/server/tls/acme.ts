/**
 * Certificates from an ACME certificate authority (Let's Encrypt, or any RFC 8555 server),
 * through acme-client, with the HTTP-01 challenge answered by Foyer's own port-80 server
 * (httpRedirect.ts): no web server or certbot to install.
 */
import type * as AcmeTypes from 'acme-client';
import { type CertStore, certInfo, renewAt, type KeyPair } from './certStore.ts';

type AcmeModule = typeof AcmeTypes;

/** Tokens the port-80 server answers under /.well-known/acme-challenge/. */
export type ChallengeTokens = Map<string, string>;

export interface AcmeOptions {
  directoryUrl: string;
  domain: string;
  store: CertStore;
  tokens: ChallengeTokens;
  email?: string | undefined;
}

/**
 * acme-client is loaded only when a certificate is requested: importing it costs about 0.2 s
 * and 40 MiB resident, which every start of a server that is not in ACME mode (and most of
 * those in ACME mode, whose certificate is still valid) would otherwise pay.
 */
async function loadAcme(): Promise<AcmeModule> {
  // Node exposes the CommonJS module's named exports (Client, crypto) on the namespace.
  return await import('acme-client');
}

/** Asks the authority for a new certificate for `domain`, stores and returns it. */
export async function issueCertificate(o: AcmeOptions): Promise<KeyPair> {
  const acme = await loadAcme();
  let accountKey = o.store.accountKey();
  if (accountKey === undefined) {
    accountKey = (await acme.crypto.createPrivateEcdsaKey()).toString();
    o.store.saveAccountKey(accountKey);
  }
  // With the account's URL the client skips registration: registering again with a known key
  // makes acme-client send an account update that some authorities refuse.
  const known = o.store.accountUrl();
  const client = new acme.Client({
    directoryUrl: o.directoryUrl,
    accountKey,
    ...(known === undefined ? {} : { accountUrl: known }),
  });
  if (known === undefined) {
    await client.createAccount({
      termsOfServiceAgreed: true,
      ...(o.email === undefined ? {} : { contact: [`mailto:${o.email}`] }),
    });
    o.store.saveAccountUrl(client.getAccountUrl());
  }
  const [key, csr] = await acme.crypto.createCsr(
    { commonName: o.domain, altNames: [o.domain] },
    await acme.crypto.createPrivateEcdsaKey(),
  );
  const cert = await client.auto({
    csr,
    termsOfServiceAgreed: true,
    challengePriority: ['http-01'],
    // acme-client would first fetch the challenge itself through port 80 of the public name,
    // which from inside a home network often fails (no NAT loopback): the authority checks.
    skipChallengeVerification: true,
    challengeCreateFn: async (_authz, challenge, keyAuthorization) => {
      o.tokens.set(challenge.token, keyAuthorization);
    },
    challengeRemoveFn: async (_authz, challenge) => {
      o.tokens.delete(challenge.token);
    },
  });
  const pair = { key: key.toString(), cert };
  o.store.savePair(pair);
  return pair;
}

/**
 * The stored certificate when it covers `domain` and is not yet due for renewal (so a restart
 * does not ask again), else a new one.
 */
export async function currentOrNew(
  o: AcmeOptions,
  now = Date.now(),
): Promise<{ pair: KeyPair; issued: boolean }> {
  const stored = o.store.pair();
  if (stored !== undefined) {
    const info = certInfo(stored.cert);
    if (info.names.includes(o.domain) && renewAt(info) > now)
      return { pair: stored, issued: false };
  }
  return { pair: await issueCertificate(o), issued: true };
}
