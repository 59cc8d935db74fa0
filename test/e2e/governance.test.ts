/**
 * A group that governs itself, in real browsers against a real server: a member sees no
 * admin buttons; the admin promotes a member; both vote to ban a third person, who is removed
 * from both of her browsers and sees it, while the others see who was banned and by whose
 * votes; a profile edit with a picture reaches another member. Then contacts: block, the
 * refusal to open a conversation with someone blocked, unblock, remove a contact.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { ServerProcess } from '../helpers/server.ts';
import {
  bubble,
  join,
  openChatWith,
  launchBrowser,
  newPerson,
  selectConversation,
  send,
  skipReason,
  startWebServer,
  type Person,
} from './harness.ts';

const skip = skipReason();
/** The engine's bound on a group picture (conversations/content.ts). */
const MAX_PICTURE_BYTES = 48 * 1024;

/** Makes `carol-laptop` a second browser of carol's account (code approved from the first). */
async function linkSecondBrowser(carol: Person, laptop: Person, server: ServerProcess) {
  await laptop.page.goto(`${server.url}/`);
  await laptop.page.getByRole('button', { name: 'Link this browser' }).click();
  await laptop.page.getByLabel('Passphrase', { exact: true }).fill(laptop.passphrase);
  await laptop.page.getByLabel('Passphrase again').fill(laptop.passphrase);
  await laptop.page.getByRole('button', { name: 'Show the link code' }).click();
  const code = (await laptop.page.getByRole('status', { name: 'Link code' }).innerText()).trim();
  await carol.page.getByRole('button', { name: 'Devices' }).click();
  await carol.page.getByRole('textbox', { name: 'Link code' }).fill(code);
  await carol.page.getByRole('button', { name: 'Approve' }).click();
  await carol.page.getByText(/The new device is (linked|approved)/).waitFor({ timeout: 90_000 });
  await laptop.page.getByRole('heading', { name: 'Hello, carol' }).waitFor({ timeout: 60_000 });
}

/** A large photo-like PNG drawn by the browser itself: more bytes than a group picture may have. */
async function bigPng(page: Page): Promise<Buffer> {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 1600;
    c.height = 1200;
    const g = c.getContext('2d')!;
    for (let i = 0; i < 4000; i++) {
      g.fillStyle = `hsl(${(i * 37) % 360} 70% ${30 + (i % 40)}%)`;
      g.fillRect((i * 97) % 1600, (i * 61) % 1200, 40 + (i % 90), 30 + (i % 70));
    }
    return c.toDataURL('image/png').split(',')[1]!;
  });
  return Buffer.from(b64, 'base64');
}

const members = (p: Person) => p.page.getByRole('button', { name: 'Members', exact: true });

describe('group governance in the web app', { skip }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let laptop: Person;
  before(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    alice = await newPerson(browser, 'alice');
    bob = await newPerson(browser, 'bob');
    carol = await newPerson(browser, 'carol');
    laptop = await newPerson(browser, 'carol-laptop');
    await join(alice, server, server.adminInvite);
    await join(bob, server, await server.invite());
    await join(carol, server, await server.invite());
    await linkSecondBrowser(carol, laptop, server);
    // Offline while added: the others stay invited until their browsers process the Welcome.
    for (const p of [bob, carol, laptop]) await p.context.setOffline(true);
    await alice.page.getByRole('button', { name: 'New group' }).click();
    await alice.page.getByLabel('Group name').fill('Home');
    await alice.page.getByRole('checkbox', { name: 'bob' }).check();
    await alice.page.getByRole('checkbox', { name: 'carol' }).check();
    await alice.page.getByRole('button', { name: 'Create the group' }).click();
    await alice.page.getByRole('heading', { name: 'Home', level: 1 }).waitFor();
    await members(alice).click();
    const invited = alice.page.locator('.member-list .role-invited');
    for (const name of ['bob', 'carol']) {
      await alice.page
        .locator('.member-list li', { hasText: name })
        .getByText('Invited', { exact: true })
        .waitFor();
    }
    for (const p of [bob, carol, laptop]) await p.context.setOffline(false);
    // Their joins reach Alice's open screen, which reloads.
    await invited.first().waitFor({ state: 'detached' });
    assert.equal(await invited.count(), 0);
    await selectConversation(alice, 'Home');
    await send(alice, 'Welcome home');
    for (const p of [bob, carol, laptop]) {
      await selectConversation(p, 'Home');
      await bubble(p, 'Welcome home').waitFor();
    }
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('a member sees the roles but no admin button', async () => {
    await members(bob).click();
    const list = bob.page.locator('.member-list').first();
    await list.locator('li', { hasText: 'alice' }).getByText('Admin', { exact: true }).waitFor();
    await bob.page.getByText('Only the group’s admins can change').waitFor();
    // Beside each other member, only the safety number: no promote, demote, vote or remove.
    const buttons = await bob.page.locator('.member-list button').allInnerTexts();
    assert.deepEqual(buttons, ['Safety number', 'Safety number']);
    assert.equal(await bob.page.getByRole('button', { name: 'Edit the profile' }).count(), 0);
    await bob.page.getByText('Only the group’s admins can edit its profile.').waitFor();
    // No "Add members" either: only admins add by default.
    assert.equal(await bob.page.getByRole('group', { name: 'Add members' }).count(), 0);
    // The admin does see them, and the rule for leaving as the only admin.
    await members(alice).click();
    await alice.page.getByRole('button', { name: 'Promote bob to admin' }).waitFor();
    await alice.page.getByText('You are this group’s only admin').waitFor();
    assert.equal(
      await alice.page.getByRole('button', { name: 'Leave the group' }).isDisabled(),
      true,
    );
  });

  test('an admin lets every member edit the profile; the member gets the button', async () => {
    await alice.page.getByLabel('Who may edit the profile').selectOption('members');
    await alice.page.getByRole('button', { name: 'Save the permissions' }).click();
    await bob.page.getByRole('button', { name: 'Edit the profile' }).waitFor();
    assert.equal(
      await bob.page.getByText('Only the group’s admins can edit its profile.').count(),
      0,
    );
  });

  test('promoted, then two admins vote a ban: removed on both her browsers, shown to all', async () => {
    await alice.page.getByRole('button', { name: 'Promote bob to admin' }).click();
    // Bob's open screen follows: he is admin now and has the admin buttons.
    await bob.page.getByRole('button', { name: 'Vote to ban carol' }).waitFor();
    await alice.page.getByRole('button', { name: 'Demote bob from admin' }).waitFor();

    alice.page.once('dialog', (d) => void d.accept());
    await alice.page.getByRole('button', { name: 'Vote to ban carol' }).click();
    await alice.page.getByRole('button', { name: 'Withdraw vote about carol' }).waitFor();
    // Two admins, neither of them carol: both votes are needed.
    await bob.page.getByText('1 of 2 admins voted to ban (2 needed)').waitFor();
    // A withdrawn vote counts no more, and a new one counts again.
    await alice.page.getByRole('button', { name: 'Withdraw vote about carol' }).click();
    await bob.page.getByText('1 of 2 admins voted to ban').waitFor({ state: 'detached' });
    alice.page.once('dialog', (d) => void d.accept());
    await alice.page.getByRole('button', { name: 'Vote to ban carol' }).click();
    await bob.page.getByText('1 of 2 admins voted to ban (2 needed)').waitFor();

    bob.page.once('dialog', (d) => void d.accept());
    await bob.page.getByRole('button', { name: 'Vote to ban carol' }).click();
    const banned = bob.page.locator('.banned-list');
    await banned.getByRole('button', { name: 'Vote to unban carol' }).waitFor();
    await alice.page.locator('.banned-list', { hasText: 'carol' }).waitFor();
    await alice.page.getByRole('heading', { name: '2 members' }).waitFor();

    // Everyone reads who was banned, and by whose votes.
    for (const p of [alice, bob]) {
      await selectConversation(p, 'Home');
      await p.page.getByText('carol was banned by the votes of alice, bob.').waitFor();
    }
    // Carol, on both browsers: out of the group, told why, nothing more to write.
    for (const p of [carol, laptop]) {
      await p.page
        .getByText('You were removed from this group: banned by the votes of alice, bob.')
        .waitFor();
      await p.page.getByText('You are no longer a member of this conversation.').waitFor();
      assert.equal(await p.page.getByRole('textbox', { name: 'Message' }).count(), 0);
    }
    await send(alice, 'After the ban');
    await bubble(bob, 'After the ban').waitFor();
    assert.equal(await bubble(carol, 'After the ban').count(), 0);
  });

  test('a profile edit with a picture reaches another member, resized and bounded', async () => {
    await members(alice).click();
    await alice.page.getByRole('button', { name: 'Edit the profile' }).click();
    await alice.page.getByLabel('Name', { exact: true }).fill('Home sweet home');
    await alice.page.getByLabel('Description').fill('Our house, our rules');
    await alice.page.getByLabel('Picture', { exact: true }).setInputFiles({
      name: 'house.png',
      mimeType: 'image/png',
      buffer: await bigPng(alice.page),
    });
    await alice.page.getByRole('img', { name: 'Picture of the group' }).waitFor();
    await alice.page.getByRole('button', { name: 'Save', exact: true }).click();
    await alice.page.getByText('Our house, our rules').waitFor();

    await selectConversation(bob, 'Home sweet home');
    const head = bob.page.locator('.chat-head img.avatar');
    await head.waitFor();
    const src = (await head.getAttribute('src')) ?? '';
    assert.match(src, /^data:image\/jpeg;base64,/);
    const bytes = Buffer.from(src.split(',')[1]!, 'base64');
    assert.ok(bytes.length <= MAX_PICTURE_BYTES, `${bytes.length} bytes`);
    assert.ok(bytes.length > 1000, 'a real picture, not an empty one');
    await bob.page.locator('.conv', { hasText: 'Home sweet home' }).locator('img.avatar').waitFor();
    await members(bob).click();
    await bob.page.getByText('Our house, our rules').waitFor();
  });
  test('a contact blocked, refused, unblocked, then removed', async () => {
    const conversations = (p: Person) => p.page.getByRole('list', { name: 'Conversations' });
    await openChatWith(alice, 'bob');
    await send(alice, 'Just the two of us');
    await selectConversation(bob, 'alice');
    await bubble(bob, 'Just the two of us').waitFor();

    await alice.page.getByRole('button', { name: 'Safety number' }).click();
    alice.page.once('dialog', (d) => void d.accept());
    await alice.page.getByRole('button', { name: 'Block', exact: true }).click();
    // The block is done when the app leaves the contact's screen for home.
    await alice.page.locator('.contact-actions').waitFor({ state: 'detached' });
    await conversations(alice).getByRole('button', { name: /^bob/ }).waitFor({ state: 'detached' });
    // While bob is blocked, no conversation with him can be opened, and the app says why.
    await alice.page.getByRole('button', { name: 'New chat' }).click();
    await alice.page.getByRole('button', { name: 'bob', exact: true }).click();
    await alice.page
      .getByText('You blocked this person: unblock them in the settings first.')
      .waitFor();

    await alice.page.getByRole('button', { name: 'Settings' }).click();
    await alice.page.getByRole('button', { name: 'Unblock bob' }).click();
    await alice.page.getByText('You have blocked nobody.').waitFor();

    await openChatWith(alice, 'bob');
    await alice.page.getByRole('button', { name: 'Safety number' }).click();
    alice.page.once('dialog', (d) => void d.accept());
    await alice.page.getByRole('button', { name: 'Remove contact' }).click();
    await conversations(alice).getByRole('button', { name: /^bob/ }).waitFor({ state: 'detached' });
    assert.equal(await conversations(alice).getByRole('button', { name: /^Home/ }).count(), 1);
  });
});
