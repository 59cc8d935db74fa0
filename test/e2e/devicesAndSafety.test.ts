/**
 * Linking a second browser to an account (code and QR, approved from the first), revoking it,
 * and comparing safety numbers between two people, then marking them verified.
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
  type Person,
} from './harness.ts';

const skip = skipReason();

describe('devices and safety numbers', { skip }, () => {
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
    await send(alice, 'Before the laptop');
    await selectConversation(bob, 'alice');
    await bubble(bob, 'Before the laptop').waitFor();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a second browser links with a code and QR, then is revoked', async () => {
    const laptop = await newPerson(browser, 'alice-laptop');
    await laptop.page.goto(`${server.url}/`);
    await laptop.page.getByRole('button', { name: 'Link this browser' }).click();
    await laptop.page.getByLabel('Passphrase', { exact: true }).fill(laptop.passphrase);
    await laptop.page.getByLabel('Passphrase again').fill(laptop.passphrase);
    await laptop.page.getByRole('button', { name: 'Show the link code' }).click();
    await laptop.page.getByRole('img', { name: 'QR code of the link code' }).waitFor();
    const code = (await laptop.page.getByRole('status', { name: 'Link code' }).innerText()).trim();
    assert.ok(code.length > 0);

    await alice.page.getByRole('button', { name: 'Devices' }).click();
    await alice.page.getByRole('textbox', { name: 'Link code' }).fill(code);
    await alice.page.getByRole('button', { name: 'Approve' }).click();
    await alice.page.getByText(/The new device is (linked|approved)/).waitFor({ timeout: 90_000 });
    await laptop.page.getByRole('heading', { name: 'Hello, alice' }).waitFor({ timeout: 60_000 });
    // The laptop is in the conversation: it receives what bob writes next.
    await selectConversation(laptop, 'bob');
    await send(bob, 'Hello both of your devices');
    await bubble(laptop, 'Hello both of your devices').waitFor({ timeout: 60_000 });

    const devices = alice.page.locator('.device-list li');
    assert.equal(await devices.count(), 2);
    alice.page.once('dialog', (d) => void d.accept());
    await alice.page.getByRole('button', { name: /^Revoke device/ }).click();
    await alice.page.getByText('The device was revoked.').waitFor();
    await alice.page.locator('.device-list li').nth(1).waitFor({ state: 'detached' });
    assert.equal(await alice.page.locator('.device-list li').count(), 1);
    await laptop.context.close();
  });

  test('safety numbers match on both sides and can be marked verified', async () => {
    await selectConversation(alice, 'bob');
    await alice.page.getByRole('button', { name: 'Safety number' }).click();
    const aliceDigits = (
      await alice.page.getByRole('status', { name: 'Safety number' }).innerText()
    ).trim();
    assert.match(aliceDigits, /^(\d{5} ){11}\d{5}$/);
    await alice.page.getByRole('img', { name: 'QR code of the safety number' }).waitFor();
    await bob.page.getByRole('button', { name: 'Safety number' }).click();
    const bobDigits = (
      await bob.page.getByRole('status', { name: 'Safety number' }).innerText()
    ).trim();
    assert.equal(bobDigits, aliceDigits);
    await alice.page.getByText('Not verified yet.').waitFor();
    await alice.page.getByRole('button', { name: 'Mark as verified' }).click();
    await alice.page.getByText('You verified bob.').waitFor();
  });

  test('a changed identity key is flagged; the person refuses, then accepts it', async () => {
    // bob's account is removed and the name registered again: a new identity key.
    alice.page.once('dialog', (d) => void d.accept());
    await alice.page.getByRole('button', { name: 'Administration' }).click();
    await alice.page.getByRole('button', { name: 'Remove the account of bob' }).click();
    await alice.page
      .getByRole('list', { name: 'Accounts' })
      .getByText('bob')
      .waitFor({ state: 'detached' });
    const newBob = await newPerson(browser, 'bob');
    await join(newBob, server, await server.invite());
    await alice.page.getByRole('button', { name: 'New chat' }).click();
    await alice.page.getByRole('button', { name: 'bob', exact: true }).click();
    const banner = alice.page
      .getByRole('alert')
      .filter({ hasText: 'The safety number with bob changed' });
    await banner.waitFor();
    await banner.getByRole('button', { name: 'Review' }).click();
    await alice.page.getByText(/The identity key of bob changed/).waitFor();
    await alice.page.getByRole('button', { name: 'Refuse' }).click();
    await alice.page.getByText('Messages from bob’s new key stay refused.').waitFor();
    assert.equal(await banner.count(), 0);
    await alice.page.getByRole('button', { name: 'Accept the new key' }).click();
    await alice.page.getByText(/The identity key of bob changed/).waitFor({ state: 'detached' });
    await alice.page.getByText('Not verified yet.').waitFor();
    await newBob.context.close();
  });
});
