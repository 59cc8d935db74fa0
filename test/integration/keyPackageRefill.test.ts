/**
 * When others claim a device's one-time key packages, the server tells the device's open
 * socket (`keypackages`), and a running engine uploads fresh ones at once rather than at its
 * next hourly housekeeping: the next person to add it still gets a one-time package, not the
 * shared last-resort one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClaimedKeyPackages } from '../../src/shared/protocol/api.ts';
import { fromBase64Url } from '../../src/shared/protocol/bytes.ts';
import { inspectKeyPackage } from '../../src/shared/mls/inspect.ts';
import { Engine, type EngineEvent } from '../../src/shared/engine/index.ts';
import { FileStorage } from '../../src/cli/client/fileStore.ts';
import { ApiDevice } from '../helpers/apiDevice.ts';
import { createInvite, removeDir, startServerProcess, tempDir } from '../helpers/server.ts';

/** Cheap Argon2: the store's passphrase cost is not what this test is about. */
const TEST_KDF = { memoryKiB: 1024, iterations: 1, parallelism: 1 };

/** Claims one package of `name` for `by`: whether it is the last-resort one. */
async function claimIsLastResort(by: ApiDevice, name: string): Promise<boolean> {
  const r = await by.call<ClaimedKeyPackages>('POST', `/api/v1/users/${name}/keypackages`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const [only] = r.body.keyPackages;
  assert.ok(only !== undefined, 'one package for the one device');
  return inspectKeyPackage(fromBase64Url(only.keyPackage)!).lastResort;
}

test(
  'a running engine replenishes its key packages when the server says they ran low',
  { timeout: 120_000 },
  async () => {
    const server = await startServerProcess();
    const store = tempDir('foyer-olive-');
    let olive: Engine | undefined;
    try {
      // One one-time package (plus the last-resort one): a single claim empties the stock.
      olive = await Engine.register(
        FileStorage.open(store),
        'correct horse battery staple',
        { server: server.url, invite: server.adminInvite, name: 'olive' },
        { kdf: TEST_KDF, tuning: { keyPackageTarget: 1, keyPackageRefillBelow: 1 } },
      );
      const engine = olive;
      const online = new Promise<void>((resolve) => {
        engine.on((e: EngineEvent) => {
          if (e.type === 'connection' && e.state === 'online') resolve();
        });
      });
      engine.start();
      await online;
      const first = await ApiDevice.register(server.url, createInvite(server.dataDir), 'oscar');
      const second = await ApiDevice.register(server.url, createInvite(server.dataDir), 'paula');

      assert.equal(await claimIsLastResort(first, 'olive'), false, 'the one-time package');
      // The stock is empty now; until olive uploads, claims get the last-resort package.
      // Waits for the upload with growing pauses (a claimer may make 10 claims at once).
      let lastResort = true;
      for (let i = 0, pause = 100; i < 9 && lastResort; i++, pause *= 2) {
        if (i > 0) await new Promise((r) => setTimeout(r, pause));
        lastResort = await claimIsLastResort(second, 'olive');
      }
      assert.equal(lastResort, false, 'olive uploaded a fresh one-time package');
    } finally {
      await olive?.close();
      await server.stop();
      removeDir(server.dataDir);
      removeDir(store);
    }
  },
);
