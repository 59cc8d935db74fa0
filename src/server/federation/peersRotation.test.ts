/**
 * Following a peer's key rotations (peers.ts), against a discovery document served on
 * loopback: the pin moves only along statements signed from it, and a request that did not
 * verify makes this instance look again at most once per REFRESH_INTERVAL_MS.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { memoryDb } from '../testing/memoryDb.ts';
import { Writer } from '../writer.ts';
import { FederationStore } from './store.ts';
import { Peers, REFRESH_INTERVAL_MS } from './peers.ts';
import { generateSigningKeyPair, sign, type SigningKeyPair } from '../../shared/crypto/ed25519.ts';
import { PROTOCOL_VERSION } from '../../shared/protocol/api.ts';
import { equalBytes, toBase64Url } from '../../shared/protocol/bytes.ts';
import { FoyerError } from '../../shared/protocol/errors.ts';
import {
  rotationSignatureInput,
  rotationToJson,
  type KeyRotation,
} from '../../shared/protocol/keyRotation.ts';

const D = 'chez-bob.example';

async function rotation(from: SigningKeyPair, to: SigningKeyPair, at: number) {
  const r = { oldKey: from.publicKey, newKey: to.publicKey, at };
  return { ...r, signature: await sign(from, rotationSignatureInput(r)) };
}

test('a peer pin follows only signed rotations; refreshes after failures are throttled', async (t) => {
  const [k0, k1, planted] = await Promise.all([1, 2, 3].map(() => generateSigningKeyPair()));
  let doc: { key: SigningKeyPair; chain: KeyRotation[] } = { key: k0!, chain: [] };
  let fetches = 0;
  const server = createServer((_req, res) => {
    fetches++;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        domain: D,
        protocol: PROTOCOL_VERSION,
        instanceKey: toBase64Url(doc.key.publicKey),
        rotations: doc.chain.map(rotationToJson),
      }),
    );
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.after(() => server.close());
  const db = memoryDb();
  const writer = new Writer(db, { afterCommit: () => undefined, onAbort: () => undefined });
  const store = new FederationStore(db);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const peers = new Peers({ store, writer, map: { [D]: url } });
  const pinned = (): Uint8Array => new Uint8Array(store.peer(D)!.public_key!);

  assert.ok(equalBytes(await peers.rawKeyFor(D), k0!.publicKey), 'first contact pins k0');

  // A key the pinned one never handed over to: refused, the pin stays.
  doc = { key: planted!, chain: [await rotation(k1!, planted!, 1)] };
  await assert.rejects(peers.refreshAfterFailure(D, 1_000), (e: unknown) => {
    assert.ok(e instanceof FoyerError);
    assert.equal(e.code, 'peer_key_changed');
    return true;
  });
  assert.ok(equalBytes(pinned(), k0!.publicKey));

  // Within the interval, the last outcome is reused: no new fetch, even though the peer has
  // meanwhile published a valid rotation.
  doc = { key: k1!, chain: [await rotation(k0!, k1!, 2)] };
  const before = fetches;
  await assert.rejects(peers.refreshAfterFailure(D, 1_000 + REFRESH_INTERVAL_MS - 1));
  assert.equal(fetches, before);

  // After it, the signed rotation is followed and pinned.
  const now = await peers.refreshAfterFailure(D, 1_000 + REFRESH_INTERVAL_MS);
  assert.equal(fetches, before + 1);
  assert.ok(equalBytes(now, k1!.publicKey));
  assert.ok(equalBytes(pinned(), k1!.publicKey));
  assert.equal(store.rotations(D).length, 1);

  // A refresh that started from k0 and ends after the pin moved does not move it back or on.
  const stale = await rotation(k0!, planted!, 3);
  const moved = await writer.run((tx) => store.rotate(tx, D, k0!.publicKey, [stale], 4));
  assert.equal(moved, false);
  assert.ok(equalBytes(pinned(), k1!.publicKey));
  assert.equal(store.rotations(D).length, 1);
});
