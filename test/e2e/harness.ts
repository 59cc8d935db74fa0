/**
 * End-to-end harness: Debian's Chromium driven by playwright-core (never a downloaded
 * browser) against a real Foyer server process on loopback, serving the built web app.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join as joinPath } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT, startServerProcess, type ServerProcess } from '../helpers/server.ts';

export const CHROMIUM = '/usr/bin/chromium';
/** Where screenshots go (gitignored; CI keeps it as an artifact). */
export const ARTIFACTS = joinPath(ROOT, 'test-results/e2e');
/** A name that resolves to loopback inside the test browser only: a non-secure origin. */
export const INSECURE_HOST = 'foyer.test';

/** Why the browser suites cannot run here, or undefined when they can. */
export function skipReason(): string | undefined {
  if (!existsSync(CHROMIUM))
    return `needs ${CHROMIUM} (Debian package chromium; .ci/run installs it)`;
  if (!existsSync(joinPath(ROOT, 'dist/web/index.html')))
    return 'needs the built web app (npm run build)';
  return undefined;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    // foyer.test is mapped to loopback so a page can be opened on a non-secure origin; every
    // other name resolves as usual and no test addresses anything but loopback.
    args: [`--host-resolver-rules=MAP ${INSECURE_HOST} 127.0.0.1`],
  });
}

export async function startWebServer(): Promise<ServerProcess> {
  return startServerProcess({ env: { FOYER_LOG_LEVEL: 'warn' } });
}

export interface Person {
  context: BrowserContext;
  page: Page;
  name: string;
  passphrase: string;
  /** Content-Security-Policy violations the page reported. */
  cspViolations: string[];
}

/** A fresh browser profile (its own IndexedDB) with one page, watching for CSP violations. */
export async function newPerson(
  browser: Browser,
  name: string,
  opts: {
    locale?: string;
    viewport?: { width: number; height: number };
    /** Only for injecting axe-core, which arrives as an inline script. */
    bypassCSP?: boolean;
  } = {},
): Promise<Person> {
  const context = await browser.newContext({
    locale: opts.locale ?? 'en-GB',
    viewport: opts.viewport ?? { width: 1100, height: 760 },
    bypassCSP: opts.bypassCSP ?? false,
  });
  const page = await context.newPage();
  const cspViolations: string[] = [];
  page.on('console', (msg) => {
    if (/Content Security Policy/i.test(msg.text())) cspViolations.push(msg.text());
  });
  return { context, page, name, passphrase: `${name} correct horse battery`, cspViolations };
}

/** Opens an invite link and creates the account through the join screen. */
export async function join(p: Person, server: ServerProcess, invite: string): Promise<void> {
  await p.page.goto(`${server.url}/join#${invite}`);
  await p.page.getByLabel('Your name').fill(p.name);
  await p.page.getByLabel('Passphrase', { exact: true }).fill(p.passphrase);
  await p.page.getByLabel('Passphrase again').fill(p.passphrase);
  await p.page.getByRole('button', { name: 'Create my account' }).click();
  await p.page.getByRole('heading', { name: `Hello, ${p.name}` }).waitFor();
}

/** Opens (or creates) the one-to-one conversation with `peer` from the member picker. */
export async function openChatWith(p: Person, peer: string): Promise<void> {
  await p.page.getByRole('button', { name: 'New chat' }).click();
  await p.page.getByRole('button', { name: peer, exact: true }).click();
  await p.page.getByRole('heading', { name: peer, level: 1 }).waitFor();
}

/** Selects a conversation in the list by its title. */
export async function selectConversation(p: Person, title: string): Promise<void> {
  await p.page
    .getByRole('list', { name: 'Conversations' })
    .getByRole('button', { name: new RegExp(`^${title}`) })
    .click();
  await p.page.getByRole('heading', { name: title, level: 1 }).waitFor();
}

export async function send(p: Person, text: string): Promise<void> {
  await p.page.getByRole('textbox', { name: 'Message' }).fill(text);
  await p.page.getByRole('button', { name: 'Send' }).click();
}

/** The bubble holding exactly `text`. */
export function bubble(p: Person, text: string) {
  return p.page.locator('li.msg', { has: p.page.locator('.msg-text', { hasText: text }) });
}

/** Waits until the bubble of our message `text` shows `state` (by its accessible name). */
export async function waitForState(p: Person, text: string, state: string): Promise<void> {
  await bubble(p, text).getByLabel(state, { exact: true }).waitFor();
}

/**
 * Waits until the bubble shows one of `states`: for a state the message may pass through too
 * quickly to be seen (Sent becomes Delivered as soon as the other browser fetches it).
 */
export async function waitForAnyState(
  p: Person,
  text: string,
  states: readonly string[],
): Promise<void> {
  const escaped = states.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  await bubble(p, text)
    .getByLabel(new RegExp(`^(${escaped.join('|')})$`))
    .waitFor();
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: joinPath(ARTIFACTS, `${name}.png`), fullPage: false });
}
