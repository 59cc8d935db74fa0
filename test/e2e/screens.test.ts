/**
 * Every main screen, in English and French, at phone and desktop widths: an accessibility
 * check (axe-core: no serious or critical violation) and a screenshot saved under
 * test-results/e2e for people to look at.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import type { ServerProcess } from '../helpers/server.ts';
import {
  INSECURE_HOST,
  join,
  launchBrowser,
  newPerson,
  openChatWith,
  screenshot,
  selectConversation,
  send,
  skipReason,
  startWebServer,
  type Person,
} from './harness.ts';

const skip = skipReason();
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

interface AxeResult {
  violations: Array<{ id: string; impact: string | null; nodes: Array<{ target: unknown }> }>;
}

/** Runs axe-core on the page; returns the serious and critical violations. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run(o: unknown): Promise<unknown> } }).axe.run({
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
    }),
  )) as AxeResult;
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${JSON.stringify(v.nodes.map((n) => n.target))}`);
}

describe('main screens: accessibility and screenshots', { skip }, () => {
  let server: ServerProcess;
  let browser: Browser;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  const problems: string[] = [];

  /** Checks and photographs the current screen at both widths. */
  async function capture(p: Person, name: string, lang: string): Promise<void> {
    for (const [size, viewport] of [
      ['phone', PHONE],
      ['desktop', DESKTOP],
    ] as const) {
      await p.page.setViewportSize(viewport);
      await screenshot(p.page, `${name}-${lang}-${size}`);
    }
    for (const v of await seriousViolations(p.page)) problems.push(`${name} (${lang}): ${v}`);
  }

  before(async () => {
    server = await startWebServer();
    browser = await launchBrowser();
    alice = await newPerson(browser, 'alice', { bypassCSP: true });
    bob = await newPerson(browser, 'bob', { bypassCSP: true });
    await join(alice, server, server.adminInvite);
    await join(bob, server, await server.invite());
    carol = await newPerson(browser, 'carol', { bypassCSP: true });
    await join(carol, server, await server.invite());
    await openChatWith(alice, 'bob');
    await send(alice, 'Dinner at eight? I will bring the bread 🥖');
    await selectConversation(bob, 'alice');
    await send(bob, 'Perfect. See https://example.org/recipe for the dessert');
    await alice.page.getByText('See https://example.org/recipe').waitFor();
    await alice.page.getByRole('button', { name: 'New group' }).click();
    await alice.page.getByLabel('Group name').fill('Family');
    await alice.page.getByRole('checkbox', { name: 'bob' }).check();
    await alice.page.getByRole('button', { name: 'Create the group' }).click();
    await send(alice, 'Welcome to the family group!');
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('screens before the app', async () => {
    for (const [locale, lang] of [
      ['en-GB', 'en'],
      ['fr-FR', 'fr'],
    ] as const) {
      const p = await newPerson(browser, 'visitor', { locale, bypassCSP: true });
      await p.page.goto(`${server.url}/join#${await server.invite()}`);
      await p.page.locator('.card h1').waitFor();
      await capture(p, 'join', lang);
      await p.page.goto(`${server.url}/`);
      await p.page.locator('.card h1').waitFor();
      await capture(p, 'welcome', lang);
      const port = new URL(server.url).port;
      await p.page.goto(`http://${INSECURE_HOST}:${port}/`);
      await p.page.locator('.card h1').waitFor();
      await capture(p, 'insecure', lang);
      await p.context.close();
    }
  });

  test('screens of the app, in both languages', async () => {
    const page = alice.page;
    for (const lang of ['en', 'fr'] as const) {
      if (lang === 'fr') {
        await page.setViewportSize(DESKTOP);
        await page.getByRole('button', { name: 'Settings' }).click();
        await page.getByLabel('Language of the app').selectOption('fr');
        await page.getByRole('heading', { name: 'Réglages' }).waitFor();
      }
      const shots: Array<[string, () => Promise<void>]> = [
        [
          'chat',
          async () => {
            await page.setViewportSize(DESKTOP);
            await page.locator('.conv', { hasText: 'bob' }).click();
            await page.locator('.msg').first().waitFor();
          },
        ],
        [
          'group',
          async () => {
            await page.setViewportSize(DESKTOP);
            await page.locator('.conv', { hasText: 'Family' }).click();
            await page.locator('.chat-head .head-action').click();
            await page.locator('.member-list').waitFor();
          },
        ],
        [
          'list',
          async () => {
            await page.setViewportSize(PHONE);
            await page.locator('.panel-head .back').click();
            await page.locator('.chat-head .back').click();
            await page.locator('.conv-list').waitFor();
          },
        ],
        [
          'new-group',
          async () => {
            await page.locator('.new-buttons button').nth(1).click();
            await page.locator('.checklist').waitFor();
          },
        ],
        [
          'safety',
          async () => {
            await page.setViewportSize(DESKTOP);
            await page.locator('.conv', { hasText: 'bob' }).click();
            await page.locator('.chat-head .head-action').click();
            await page.locator('.safety-digits').waitFor();
          },
        ],
        [
          'devices',
          async () => {
            await page.locator('.head-actions button').nth(0).click();
            await page.locator('.device-list li').first().waitFor();
          },
        ],
        [
          'admin',
          async () => {
            await page.locator('.head-actions button').nth(1).click();
            await page.locator('.inline-form button').click();
            await page.locator('.invite-made').waitFor();
          },
        ],
        [
          'settings',
          async () => {
            await page.locator('.head-actions button').nth(2).click();
            await page.locator('.panel select').waitFor();
          },
        ],
      ];
      for (const [name, open] of shots) {
        await open();
        await capture(alice, name, lang);
      }
    }
    // Unlock, after a reload.
    await page.reload();
    await page.locator('.card h1').waitFor();
    await capture(alice, 'unlock', 'fr');
  });

  test('a group left, and the notice of another tab, in both languages', async () => {
    // alice was left on the unlock screen (in French).
    await alice.page.setViewportSize(DESKTOP);
    await alice.page.locator('input[type=password]').fill(alice.passphrase);
    await alice.page.locator('.card form button[type=submit]').click();
    await alice.page.getByRole('button', { name: /^(New group|Nouveau groupe)$/ }).click();
    await alice.page.locator('.panel input[type=text]').first().fill('Book club');
    await alice.page.locator('.checklist input[type=checkbox]').first().check();
    await alice.page.locator('.panel form button[type=submit]').click();
    await alice.page.locator('#composer-input').fill('Chapter three for Thursday');
    await alice.page.getByRole('button', { name: 'Envoyer' }).click();
    await selectConversation(bob, 'Book club');
    await bob.page.getByText('Chapter three for Thursday').waitFor();
    await bob.page.getByRole('button', { name: 'Members', exact: true }).click();
    bob.page.once('dialog', (d) => void d.accept());
    await bob.page.getByRole('button', { name: 'Leave the group' }).click();
    await bob.page.locator('.ended-note').waitFor();
    const other = await bob.context.newPage();
    await other.goto(`${server.url}/`);
    await other.locator('.card h1').waitFor();
    for (const lang of ['en', 'fr'] as const) {
      if (lang === 'fr') {
        await bob.page.setViewportSize(DESKTOP);
        await bob.page.getByRole('button', { name: 'Settings' }).click();
        await bob.page.getByLabel('Language of the app').selectOption('fr');
        await bob.page.getByRole('heading', { name: 'Réglages' }).waitFor();
        await bob.page.setViewportSize(PHONE);
        await bob.page.locator('.panel-head .back').click();
        await bob.page.locator('.conv', { hasText: 'Book club' }).click();
        await bob.page.locator('.ended-note').waitFor();
        await other.reload();
        await other
          .getByRole('heading', { name: 'Foyer est ouvert dans un autre onglet' })
          .waitFor();
      }
      await capture(bob, 'left-group', lang);
      await capture({ ...bob, page: other }, 'elsewhere', lang);
    }
    await bob.page.setViewportSize(PHONE);
    await bob.page.locator('.chat-head .back').click();
    await bob.page.locator('.conv.ended').waitFor();
    await capture(bob, 'list-with-left', 'fr');
    await other.close();
  });

  /** Switches `p`'s app to `lang` from the settings (the select is found by role, in any language). */
  async function setLang(p: Person, lang: 'en' | 'fr'): Promise<void> {
    await p.page.setViewportSize(DESKTOP);
    await p.page.locator('.head-actions button').last().click();
    await p.page.locator('.panel select').selectOption(lang);
    await p.page.getByRole('heading', { name: lang === 'fr' ? 'Réglages' : 'Settings' }).waitFor();
  }

  /** Opens the members screen of the group `title` (desktop width). */
  async function openMembers(p: Person, title: string): Promise<void> {
    await p.page.setViewportSize(DESKTOP);
    await p.page.locator('.conv', { hasText: title }).click();
    await p.page.locator('.chat-head .head-action').click();
    await p.page.locator('.member-list li.member').first().waitFor();
  }

  test('governance screens: roles and votes, the profile editor, a ban, in both languages', async () => {
    // alice was left in French; the group is set up in English, then shot in both.
    await setLang(alice, 'en');
    await alice.page.getByRole('button', { name: 'New group' }).click();
    await alice.page.getByLabel('Group name').fill('Garden');
    await alice.page.getByRole('checkbox', { name: 'bob' }).check();
    await alice.page.getByRole('checkbox', { name: 'carol' }).check();
    await alice.page.getByRole('button', { name: 'Create the group' }).click();
    await send(alice, 'Who waters the tomatoes this week?');
    await selectConversation(carol, 'Garden');
    await selectConversation(bob, 'Garden');
    await openMembers(alice, 'Garden');
    await alice.page.getByRole('button', { name: 'Promote bob to admin' }).click();
    await alice.page.getByRole('button', { name: 'Demote bob from admin' }).waitFor();
    await alice.page.getByRole('button', { name: 'Edit the profile' }).click();
    await alice.page.getByLabel('Description').fill('Plots 12 and 13, behind the school');
    const png = await alice.page.evaluate(() => {
      const c = document.createElement('canvas');
      c.width = 640;
      c.height = 480;
      const g = c.getContext('2d')!;
      g.fillStyle = '#3f6e1e';
      g.fillRect(0, 0, 640, 480);
      g.fillStyle = '#c8402a';
      for (let i = 0; i < 12; i++) g.fillRect(40 + i * 48, 200 + (i % 3) * 60, 30, 30);
      return c.toDataURL('image/png').split(',')[1]!;
    });
    await alice.page.getByLabel('Picture', { exact: true }).setInputFiles({
      name: 'garden.png',
      mimeType: 'image/png',
      buffer: Buffer.from(png, 'base64'),
    });
    await alice.page.getByRole('img', { name: 'Picture of the group' }).waitFor();
    await alice.page.getByRole('button', { name: 'Save', exact: true }).click();
    await alice.page.locator('.profile-editor').waitFor({ state: 'detached' });
    alice.page.once('dialog', (d) => void d.accept());
    await alice.page.getByRole('button', { name: 'Vote to ban carol' }).click();
    await alice.page.locator('.votes').first().waitFor();

    for (const lang of ['en', 'fr'] as const) {
      await setLang(alice, lang);
      await openMembers(alice, 'Garden');
      await alice.page.locator('.votes').first().waitFor();
      await capture(alice, 'group-votes', lang);
      await alice.page.locator('.profile button.secondary').click();
      await alice.page.locator('.profile-editor').waitFor();
      await capture(alice, 'profile-editor', lang);
      await setLang(carol, lang);
      await openMembers(carol, 'Garden');
      await carol.page.locator('.profile img.avatar').waitFor();
      await capture(carol, 'group-member', lang);
    }

    await setLang(bob, 'en');
    await openMembers(bob, 'Garden');
    bob.page.once('dialog', (d) => void d.accept());
    await bob.page.getByRole('button', { name: 'Vote to ban carol' }).click();
    await bob.page.locator('.banned-list').waitFor();
    for (const lang of ['en', 'fr'] as const) {
      await setLang(carol, lang);
      await carol.page.locator('.conv', { hasText: 'Garden' }).click();
      await carol.page.locator('.system-line').waitFor();
      await capture(carol, 'banned', lang);
      await setLang(alice, lang);
      await alice.page.locator('.conv', { hasText: 'Garden' }).click();
      await alice.page.locator('.system-line').waitFor();
      await capture(alice, 'ban-line', lang);
      await openMembers(alice, 'Garden');
      await alice.page.locator('.banned-list').waitFor();
      // The banned cannot be added back, so they are not offered.
      assert.equal(await alice.page.locator('.checklist', { hasText: 'carol' }).count(), 0);
      await capture(alice, 'group-banned', lang);
    }
  });

  test('no serious or critical accessibility violation', () => {
    assert.deepEqual(problems, []);
  });
});
