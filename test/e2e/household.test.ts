/**
 * A household in three browsers and a command-line client: an admin invites from the admin
 * page, a group is created, grows and shrinks, a browser and the CLI chat together, and a
 * message written offline arrives exactly once when the network returns.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { clientOk, registerCli, scratchDir } from '../helpers/scenario.ts';
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
  waitForState,
  type Person,
} from './harness.ts';

const skip = skipReason();

describe('a household in three browsers and the CLI', { skip }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let dave: Person;
  const carolStore = scratchDir('carol');
  before(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    alice = await newPerson(browser, 'alice');
    bob = await newPerson(browser, 'bob');
    dave = await newPerson(browser, 'dave');
    await join(alice, server, server.adminInvite);
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('the admin page creates an invite that a second browser uses; revoked ones fail', async () => {
    const page = alice.page;
    await page.getByRole('button', { name: 'Administration' }).click();
    await page.getByRole('button', { name: 'Create an invite' }).click();
    const link = await page.getByRole('textbox', { name: 'Invite link' }).inputValue();
    assert.match(link, /\/join#[A-Za-z0-9_-]{22}$/);
    await page.getByRole('img', { name: 'QR code of the invite link' }).waitFor();
    await join(bob, server, link.split('#')[1]!);
    // A second invite, revoked before use, no longer works.
    await page.getByRole('button', { name: 'Create an invite' }).click();
    const revoked = (await page.getByRole('textbox', { name: 'Invite link' }).inputValue()).split(
      '#',
    )[1]!;
    const list = page.getByRole('list', { name: 'Recent invites' });
    await list
      .getByRole('button', { name: /^Revoke invite/ })
      .first()
      .click();
    await page.getByRole('list', { name: 'Accounts' }).getByText('bob').waitFor();
    await dave.page.goto(`${server.url}/join#${revoked}`);
    await dave.page.getByLabel('Your name').fill('dave');
    await dave.page.getByLabel('Passphrase', { exact: true }).fill(dave.passphrase);
    await dave.page.getByLabel('Passphrase again').fill(dave.passphrase);
    await dave.page.getByRole('button', { name: 'Create my account' }).click();
    await dave.page.getByText(/This invite is not valid any more/).waitFor();
    await join(dave, server, await server.invite());
  });

  test('a group: created, messages reach everyone, a member is removed', async () => {
    await alice.page.getByRole('button', { name: 'New group' }).click();
    await alice.page.getByLabel('Group name').fill('Family');
    await alice.page.getByRole('checkbox', { name: 'bob' }).check();
    await alice.page.getByRole('checkbox', { name: 'dave' }).check();
    await alice.page.getByRole('button', { name: 'Create the group' }).click();
    await alice.page.getByRole('heading', { name: 'Family', level: 1 }).waitFor();
    await send(alice, 'Hello family');
    for (const p of [bob, dave]) {
      await selectConversation(p, 'Family');
      await bubble(p, 'Hello family').waitFor();
    }
    await waitForState(alice, 'Hello family', 'Read');
    await send(bob, 'Hi all, from bob');
    await bubble(alice, 'Hi all, from bob').waitFor();
    await bubble(dave, 'Hi all, from bob').waitFor();
    // Members and their devices, then removing dave.
    await alice.page.getByRole('button', { name: 'Members', exact: true }).click();
    await alice.page.getByText('1 device').first().waitFor();
    await alice.page.getByRole('button', { name: 'Remove dave from the group' }).click();
    await alice.page.getByRole('heading', { name: '2 members' }).waitFor();
    await dave.page.getByText('You are no longer a member of this conversation.').waitFor();
    await selectConversation(alice, 'Family');
    await send(alice, 'Only for bob now');
    await bubble(bob, 'Only for bob now').waitFor();
    assert.equal(await bubble(dave, 'Only for bob now').count(), 0);
  });

  test('a browser and the command-line client chat together', async () => {
    await registerCli(server, carolStore, 'carol');
    await openChatWith(alice, 'carol');
    await send(alice, 'Hi carol, from the browser');
    await clientOk(carolStore, 'sync');
    const { conversations } = await clientOk(carolStore, 'conversations');
    const id = conversations[0].id as string;
    const { messages } = await clientOk(carolStore, 'messages', '--conversation', id, '--read');
    assert.deepEqual(
      messages.map((m: { text: string }) => m.text),
      ['Hi carol, from the browser'],
    );
    await clientOk(carolStore, 'send', '--conversation', id, '--text', 'Hello from the terminal');
    await bubble(alice, 'Hello from the terminal').waitFor();
    await waitForState(alice, 'Hi carol, from the browser', 'Read');
  });

  test('offline, a message waits in the outbox and arrives exactly once', async () => {
    await selectConversation(bob, 'Family');
    await selectConversation(alice, 'Family');
    await bob.context.setOffline(true);
    await send(bob, 'Written while offline');
    await waitForState(bob, 'Written while offline', 'Waiting to be sent');
    await bob.page
      .getByText(/Offline|will leave when the network returns/)
      .first()
      .waitFor();
    await bob.context.setOffline(false);
    await bubble(alice, 'Written while offline').waitFor({ timeout: 60_000 });
    await waitForState(bob, 'Written while offline', 'Read');
    // Let any duplicate delivery land, then count.
    await send(bob, 'And a second one');
    await bubble(alice, 'And a second one').waitFor();
    assert.equal(await bubble(alice, 'Written while offline').count(), 1);
  });
});
