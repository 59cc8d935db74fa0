/**
 * Two people in two browser profiles: they join through invites, chat one-to-one and watch
 * their messages go pending → sent → delivered → read; a reload asks for the passphrase (a
 * wrong one is refused and changes nothing) and shows the history at once; hostile HTML is
 * shown as text; the browser's IndexedDB holds no plaintext.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import type { ServerProcess } from '../helpers/server.ts';
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
  waitForAnyState,
  waitForState,
  type Person,
} from './harness.ts';

const skip = skipReason();

/** Every value of the page's IndexedDB store, as bytes, plus the record keys. */
async function rawIndexedDb(p: Person): Promise<{ keys: string[]; values: number[][] }> {
  return p.page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = indexedDB.open('foyer');
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(new Error(String(r.error)));
    });
    const tx = db.transaction('records', 'readonly');
    const store = tx.objectStore('records');
    const get = <T>(req: IDBRequest<T>) =>
      new Promise<T>((resolve, reject) => {
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(new Error(String(req.error)));
      });
    const keys = (await get(store.getAllKeys())).map(String);
    const values = (await get(store.getAll())).map((v: Uint8Array) => Array.from(v));
    db.close();
    return { keys, values };
  });
}

describe('one-to-one chat in two browsers', { skip }, () => {
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
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('messages travel both ways and their states reach read', async () => {
    await openChatWith(alice, 'bob');
    await send(alice, 'Dinner at eight? 🍝');
    await waitForAnyState(alice, 'Dinner at eight?', ['Sent', 'Delivered']);
    // Bob sees the conversation appear with one unread message.
    await bob.page
      .getByRole('button', { name: /^alice .*1 unread message$/ })
      .waitFor({ timeout: 30_000 });
    await selectConversation(bob, 'alice');
    await bubble(bob, 'Dinner at eight? 🍝').waitFor();
    await waitForState(alice, 'Dinner at eight?', 'Read');
    await send(bob, 'مرحبا — yes, see you then');
    await bubble(alice, 'مرحبا — yes, see you then').waitFor();
    await waitForState(bob, 'مرحبا — yes, see you then', 'Read');
    // Typing shows on the other side, then the sent message replaces the notice.
    await bob.page.getByRole('textbox', { name: 'Message' }).pressSequentially('On my w');
    await alice.page.getByRole('status').filter({ hasText: 'bob is typing…' }).waitFor();
    await bob.page.getByRole('textbox', { name: 'Message' }).fill('');
    assert.deepEqual(alice.cspViolations, []);
    assert.deepEqual(bob.cspViolations, []);
  });

  test('HTML and script payloads are shown as inert text', async () => {
    const payload = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script><b>bold</b> javascript:alert(1) https://example.org/a?b=c`;
    await send(alice, payload);
    const b = bubble(bob, '<img src=x onerror=');
    await b.waitFor();
    assert.equal(await b.locator('.msg-text').innerText(), payload);
    assert.equal(await b.locator('img, script, b').count(), 0);
    const links = b.locator('a');
    assert.equal(await links.count(), 1);
    assert.equal(await links.getAttribute('href'), 'https://example.org/a?b=c');
    assert.equal(await links.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(
      await bob.page.evaluate(() => (window as { __pwned?: number }).__pwned),
      undefined,
    );
  });

  test('the browser store holds no plaintext (messages, names)', async () => {
    const { keys, values } = await rawIndexedDb(alice);
    assert.ok(values.length > 5, 'the store has records');
    const haystack = Buffer.concat(values.map((v) => Buffer.from(v)));
    for (const marker of ['Dinner at eight', 'see you then', 'alice', 'bob', 'javascript:alert']) {
      assert.equal(haystack.includes(Buffer.from(marker)), false, `"${marker}" in a value`);
      assert.ok(!keys.some((k) => k.includes(marker)), `"${marker}" in a key`);
    }
  });

  test('a reload asks for the passphrase; a wrong one is refused; the history is intact', async () => {
    await alice.page.reload();
    await alice.page.getByRole('heading', { name: 'Unlock Foyer' }).waitFor();
    const before = await rawIndexedDb(alice);
    await alice.page.getByLabel('Passphrase').fill('not my passphrase');
    await alice.page.getByRole('button', { name: 'Unlock' }).click();
    await alice.page.getByText('Wrong passphrase. Nothing was changed; try again.').waitFor();
    assert.deepEqual(await rawIndexedDb(alice), before, 'a wrong passphrase changed the store');
    await alice.page.getByLabel('Passphrase').fill(alice.passphrase);
    await alice.page.getByRole('button', { name: 'Unlock' }).click();
    await selectConversation(alice, 'bob');
    await bubble(alice, 'Dinner at eight? 🍝').waitFor();
    await bubble(alice, 'مرحبا — yes, see you then').waitFor();
  });
});
