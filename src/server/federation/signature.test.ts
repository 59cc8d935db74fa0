import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { FoyerError } from '../../shared/protocol/errors.ts';
import {
  keyPairFromSeed,
  publicKeyObject,
  signerOf,
  signRequest,
  verifyRequest,
  type SignedHeaders,
} from './signature.ts';
import { ReplayCache } from './replay.ts';

const alice = keyPairFromSeed(randomBytes(32));
const mallory = keyPairFromSeed(randomBytes(32));
const NOW = 1_800_000_000;
const body = new TextEncoder().encode('{"items":[]}');

function signed(over: Partial<Parameters<typeof signRequest>[0]> = {}): SignedHeaders {
  return signRequest({
    method: 'POST',
    origin: 'maison.example',
    target: 'chez-bob.example',
    path: '/federation/v1/inbox',
    body,
    signer: signerOf(alice.privateKey),
    nowSeconds: NOW,
    ...over,
  });
}

function verify(
  headers: Record<string, string>,
  over: Partial<Parameters<typeof verifyRequest>[0]> = {},
): Promise<unknown> {
  return verifyRequest({
    method: 'POST',
    self: 'chez-bob.example',
    path: '/federation/v1/inbox',
    headers,
    body,
    keyFor: async () => publicKeyObject(alice.publicKey),
    nowSeconds: NOW + 1,
    ...over,
  });
}

const refused = (code: string) => (err: unknown) => err instanceof FoyerError && err.code === code;

test('a signed request verifies and names its origin and nonce', async () => {
  const v = (await verify({ ...signed() })) as { origin: string; nonce: string };
  assert.equal(v.origin, 'maison.example');
  assert.match(v.nonce, /^[A-Za-z0-9_-]{22}$/);
});

test('a signature by another key is refused', async () => {
  await assert.rejects(
    verify({ ...signed({ signer: signerOf(mallory.privateKey) }) }),
    refused('bad_signature'),
  );
});

test('a changed body, method, path or receiving instance is refused', async () => {
  const h = { ...signed() };
  await assert.rejects(
    verify(h, { body: new TextEncoder().encode('{"items":[1]}') }),
    refused('bad_signature'),
  );
  await assert.rejects(verify(h, { method: 'PUT' }), refused('bad_signature'));
  await assert.rejects(verify(h, { path: '/federation/v1/other' }), refused('bad_signature'));
  await assert.rejects(verify(h, { self: 'elsewhere.example' }), refused('bad_signature'));
});

test('a digest recomputed for a new body does not save a forged request', async () => {
  const h = { ...signed() };
  const other = new TextEncoder().encode('{"items":[2]}');
  const { contentDigest } = await import('./signature.ts');
  await assert.rejects(
    verify({ ...h, 'content-digest': contentDigest(other) }, { body: other }),
    refused('bad_signature'),
  );
});

test('an Origin other than the keyid is refused', async () => {
  const h = { ...signed(), 'foyer-origin': 'other.example' };
  await assert.rejects(verify(h), refused('bad_signature'));
});

test('requests outside the replay window are refused', async () => {
  await assert.rejects(verify({ ...signed({ nowSeconds: NOW - 600 }) }), refused('bad_signature'));
  await assert.rejects(verify({ ...signed({ nowSeconds: NOW + 600 }) }), refused('bad_signature'));
});

test('missing or malformed signature headers are refused', async () => {
  const h: Record<string, string> = { ...signed() };
  for (const name of ['signature', 'signature-input', 'content-digest', 'foyer-origin']) {
    const { [name]: _gone, ...rest } = h;
    await assert.rejects(verify(rest), refused('bad_signature'), name);
  }
  await assert.rejects(verify({ ...h, signature: 'foyer=:AAAA:' }), refused('bad_signature'));
  await assert.rejects(verify({ ...h, 'signature-input': 'garbage' }), refused('bad_signature'));
});

test('an unknown key keeps the resolver error code', async () => {
  await assert.rejects(
    verify(
      { ...signed() },
      {
        keyFor: () => Promise.reject(new FoyerError('peer_key_changed', 'changed')),
      },
    ),
    refused('peer_key_changed'),
  );
});

test('the replay cache refuses a nonce twice, forgets old ones, and stays bounded', () => {
  const cache = new ReplayCache(300, 3);
  cache.check('a.example', 'n1', NOW);
  assert.throws(() => cache.check('a.example', 'n1', NOW + 1), refused('replayed'));
  cache.check('b.example', 'n1', NOW + 1); // another origin's nonce is its own
  cache.check('a.example', 'n2', NOW + 2);
  cache.check('a.example', 'n3', NOW + 3);
  assert.equal(cache.size, 3);
  cache.check('a.example', 'n4', NOW + 2000);
  assert.equal(cache.size, 1, 'entries past twice the window are dropped');
});
