/**
 * The installable app: the service worker serves the shell with the network gone, the
 * account unlocks offline from IndexedDB, a message written then leaves when the network
 * returns; and two tabs of one account never run two engines (Web Locks): the account moves
 * between them whole, both ways.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { ROOT, startServerProcess, tempDir, type ServerProcess } from '../helpers/server.ts';
import {
  bubble,
  join,
  launchBrowser,
  newPerson,
  openChatWith,
  selectConversation,
  send,
  skipReason,
  startWebServer,
  waitForState,
  type Person,
} from './harness.ts';

const skip = skipReason();

describe('offline app and tabs', { skip }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  before(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    alice = await newPerson(browser, 'alice');
    bob = await newPerson(browser, 'bob');
    await join(alice, server, server.adminInvite);
    await join(bob, server, await server.invite());
    await openChatWith(alice, 'bob');
    await send(alice, 'Before the tunnel');
    await selectConversation(bob, 'alice');
    await bubble(bob, 'Before the tunnel').waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the manifest makes the app installable', async () => {
    const res = await fetch(`${server.url}/manifest.webmanifest`);
    const manifest = (await res.json()) as { start_url: string; display: string; icons: unknown[] };
    assert.equal(manifest.start_url, '/');
    assert.equal(manifest.display, 'standalone');
    assert.ok(manifest.icons.length >= 2);
    for (const icon of ['/icons/icon-192.png', '/icons/icon-512.png']) {
      assert.equal((await fetch(`${server.url}${icon}`)).status, 200, icon);
    }
  });

  test('with the network gone the shell still opens, unlocks, and the outbox waits', async () => {
    const page = alice.page;
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null);
    await alice.context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { name: 'Unlock Foyer' }).waitFor();
    await page.getByLabel('Passphrase').fill(alice.passphrase);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await selectConversation(alice, 'bob');
    await bubble(alice, 'Before the tunnel').waitFor();
    await send(alice, 'Written in the tunnel');
    await waitForState(alice, 'Written in the tunnel', 'Waiting to be sent');
    await page.getByText(/will leave when the network returns/).waitFor();
    await alice.context.setOffline(false);
    await bubble(bob, 'Written in the tunnel').waitFor({ timeout: 60_000 });
    await waitForState(alice, 'Written in the tunnel', 'Read');
    assert.equal(await bubble(bob, 'Written in the tunnel').count(), 1);
  });

  test('a second tab says Foyer is open elsewhere, takes it over, and the store stays whole', async () => {
    const second = await alice.context.newPage();
    await second.goto(`${server.url}/`);
    await second.getByRole('heading', { name: 'Foyer is open in another tab' }).waitFor();
    await second.getByRole('button', { name: 'Use Foyer in this tab' }).click();
    await second.getByRole('heading', { name: 'Unlock Foyer' }).waitFor();
    await alice.page.getByRole('heading', { name: 'Foyer is open in another tab' }).waitFor();
    await second.getByLabel('Passphrase').fill(alice.passphrase);
    await second.getByRole('button', { name: 'Unlock' }).click();
    await second.getByRole('heading', { name: 'Hello, alice' }).waitFor();
    // One holder of the account, and one engine with the store open (the first tab's closed).
    const held = await second.evaluate(async () =>
      ((await navigator.locks.query()).held ?? []).map((l) => l.name).sort(),
    );
    assert.deepEqual(held, ['foyer-engine', 'foyer-store']);
    // The second tab has the whole history and sends with the same keys.
    const tab2 = { ...alice, page: second };
    await selectConversation(tab2, 'bob');
    await bubble(tab2, 'Written in the tunnel').waitFor();
    await send(tab2, 'From the second tab');
    await bubble(bob, 'From the second tab').waitFor();
    await waitForState(tab2, 'From the second tab', 'Read');
    await send(bob, 'Bob answers the second tab');
    await bubble(tab2, 'Bob answers the second tab').waitFor();
    // The first tab, reloaded, still defers to the second; taken back, it shows all of it.
    await alice.page.reload();
    await alice.page.getByRole('heading', { name: 'Foyer is open in another tab' }).waitFor();
    await alice.page.getByRole('button', { name: 'Use Foyer in this tab' }).click();
    await second.getByRole('heading', { name: 'Foyer is open in another tab' }).waitFor();
    await alice.page.getByLabel('Passphrase').fill(alice.passphrase);
    await alice.page.getByRole('button', { name: 'Unlock' }).click();
    await selectConversation(alice, 'bob');
    await bubble(alice, 'Bob answers the second tab').waitFor();
    await waitForState(alice, 'From the second tab', 'Read');
    // Both directions still work: the MLS state the two tabs handed over was not forked.
    await send(alice, 'Back in the first tab');
    await bubble(bob, 'Back in the first tab').waitFor();
    await send(bob, 'Bob answers the first tab');
    await bubble(alice, 'Bob answers the first tab').waitFor();
    for (const text of ['From the second tab', 'Back in the first tab']) {
      assert.equal(await bubble(bob, text).count(), 1, text);
    }
    await second.close();
  });

  test('a new service worker version takes over without losing the outbox', async () => {
    const page = alice.page;
    // The next release: the same build with another shell version, served by the server
    // restarted on it (same port and data), as an upgrade would.
    const nextBuild = tempDir('foyer-web-next-');
    cpSync(joinPath(ROOT, 'dist/web'), nextBuild, { recursive: true });
    const swPath = joinPath(nextBuild, 'sw.js');
    const current = readFileSync(swPath, 'utf8');
    const version = /"version":"([0-9a-f]{16})"/.exec(current)?.[1];
    assert.ok(version !== undefined, 'the built worker carries its shell version');
    writeFileSync(swPath, current.replace(`"version":"${version}"`, `"version":"${version}-next"`));
    const port = Number(new URL(server.url).port);
    await server.stop();
    server = await startServerProcess({
      dataDir: server.dataDir,
      port,
      args: ['--web-root', nextBuild],
      env: { FOYER_LOG_LEVEL: 'warn' },
    });
    // The browser checks for a new worker at each visit; this asks now.
    await page.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    await page.getByText('A new version of Foyer is ready.').waitFor();
    // A message waits in the outbox when the person accepts the update.
    await alice.context.setOffline(true);
    await selectConversation(alice, 'bob');
    await send(alice, 'Queued across the update');
    await waitForState(alice, 'Queued across the update', 'Waiting to be sent');
    await page.getByRole('button', { name: 'Update', exact: true }).click();
    // The page reloads (offline: from the new worker's cache) and asks for the passphrase.
    await page.getByRole('heading', { name: 'Unlock Foyer' }).waitFor();
    assert.deepEqual(await page.evaluate(() => caches.keys()), [`foyer-shell-${version}-next`]);
    await page.getByLabel('Passphrase').fill(alice.passphrase);
    await page.getByRole('button', { name: 'Unlock' }).click();
    await selectConversation(alice, 'bob');
    await waitForState(alice, 'Queued across the update', 'Waiting to be sent');
    await alice.context.setOffline(false);
    await bubble(bob, 'Queued across the update').waitFor({ timeout: 60_000 });
    await waitForState(alice, 'Queued across the update', 'Read');
    await send(bob, 'Seen after the update');
    await bubble(alice, 'Seen after the update').waitFor();
    assert.equal(await bubble(bob, 'Queued across the update').count(), 1);
  });
});
