/**
 * Using Foyer with the keyboard alone (join, start a chat, send), and a system notification
 * for a message that arrives while the page is in the background — naming the conversation,
 * never the text.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import type { ServerProcess } from '../helpers/server.ts';
import {
  bubble,
  join,
  launchBrowser,
  newPerson,
  selectConversation,
  send,
  skipReason,
  startWebServer,
  type Person,
} from './harness.ts';

const skip = skipReason();

/** The accessible name of the focused element: aria-label, its label, or its visible text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (el === null) return '';
    const label = el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null;
    const visible = el.cloneNode(true) as HTMLElement;
    for (const hidden of visible.querySelectorAll('[aria-hidden="true"]')) hidden.remove();
    return (el.getAttribute('aria-label') ?? label ?? visible.textContent ?? '').trim();
  });
}

/** Presses Tab until the focused element is named `name` (at most 25 times). */
async function tabTo(page: Page, name: string): Promise<void> {
  for (let i = 0; i < 25; i++) {
    if ((await focused(page)) === name) return;
    await page.keyboard.press('Tab');
  }
  assert.fail(`Tab never reached "${name}"`);
}

describe('keyboard and notifications', { skip }, () => {
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
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('join, start a chat and send with the keyboard only', async () => {
    const page = bob.page;
    await page.goto(`${server.url}/join#${await server.invite()}`);
    await page.getByLabel('Your name').waitFor();
    assert.equal(await focused(page), 'Your name');
    await page.keyboard.type('bob');
    await tabTo(page, 'Passphrase');
    await page.keyboard.type(bob.passphrase);
    await tabTo(page, 'Passphrase again');
    await page.keyboard.type(bob.passphrase);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Hello, bob' }).waitFor();
    await tabTo(page, 'New chat');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'alice', exact: true }).waitFor();
    await tabTo(page, 'alice');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'alice', level: 1 }).waitFor();
    await tabTo(page, 'Message');
    await page.keyboard.type('Typed without a mouse');
    await page.keyboard.press('Enter');
    await selectConversation(alice, 'bob');
    await bubble(alice, 'Typed without a mouse').waitFor();
  });

  test('a message arriving in the background raises a notification without its text', async () => {
    await alice.context.grantPermissions(['notifications'], { origin: server.url });
    // Record what the page asks of the real Notification API.
    await alice.page.evaluate(() => {
      const Real = window.Notification;
      const seen: Array<{ title: string; body: string | undefined }> = [];
      (window as unknown as { seen: typeof seen }).seen = seen;
      window.Notification = class extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          seen.push({ title, body: options?.body });
        }
      } as typeof Notification;
    });
    // Another tab comes to the front. (Playwright makes every page believe it has the focus;
    // turn that off so the page sees the real state.)
    const cdp = await alice.context.newCDPSession(alice.page);
    await cdp.send('Emulation.setFocusEmulationEnabled', { enabled: false });
    const other = await alice.context.newPage();
    await other.bringToFront();
    await alice.page.waitForFunction(() => !document.hasFocus());
    await send(bob, 'A secret in the background');
    await alice.page.waitForFunction(
      () => (window as unknown as { seen: unknown[] }).seen.length > 0,
    );
    const seen = await alice.page.evaluate(
      () => (window as unknown as { seen: Array<{ title: string; body?: string }> }).seen,
    );
    assert.equal(seen[0]!.title, 'Foyer');
    assert.match(seen[0]!.body ?? '', /bob/);
    assert.doesNotMatch(JSON.stringify(seen), /secret/);
    await other.close();
  });
});
