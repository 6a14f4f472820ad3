/**
 * The page as a newcomer meets it (issue 18, items 7, 9, 10, 11, 15), in Debian's headless Chromium:
 * a reload shows the stored history before the greeting; the chat input takes what the server
 * accepts and says so kindly; no Content-Security-Policy violation on load; a server with a token
 * says it needs one instead of reloading forever; "Things to say" lines send themselves.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { ClientMessageSchema } from '../../protocol/wire.js';
import { getCharacter } from '../../characters/index.js';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../../bench/chromium.js';
import { plainError } from '../../renderer/plain-errors.js';

const TOKEN = 'first-minutes-token-0123';
let server: RunningServer;
let guarded: RunningServer;
let browser: BrowserContext;

const memory = () => PersonaConfigSchema.parse({ dataDir: ':memory:' });
const greeting = getCharacter('aria').lines.greeting![0]!.replace('{name}', 'Aria');

beforeAll(async () => {
  server = await startServer({ port: 0, width: 128, height: 128, persona: memory() });
  guarded = await startServer({ port: 0, width: 128, height: 128, token: TOKEN, persona: memory() });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await guarded?.close();
});

/** A fresh tab that records CSP violations from the first script on, and page errors. */
const open = async (url: string) => {
  const page = await browser.newPage();
  const errors: string[] = [];
  const console: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && console.push(m.text()));
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { cspViolations: string[] }).cspViolations = seen;
    document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(url);
  return { page, errors, console };
};
const connected = (page: Page) => page.waitForFunction(() => document.getElementById('connection')!.textContent === 'connected', null, { timeout: 15_000 });
const send = async (page: Page, text: string) => {
  await page.fill('#chat-input', text);
  await page.press('#chat-input', 'Enter');
};
const chatLines = (page: Page) => page.$$eval('#chat-log li', (lis) => lis.map((li) => ({ cls: li.className, text: li.firstChild?.textContent ?? '' })));

describe('the page in its first minutes', () => {
  it('loads without a Content-Security-Policy violation (the bundle never evals)', async () => {
    const { page, errors, console } = await open(server.url);
    await connected(page);
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(console.filter((c) => /Content Security Policy|unsafe-eval/i.test(c))).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('a reload or a second tab shows the recent history, then the greeting', async () => {
    const first = await open(server.url);
    await connected(first.page);
    await send(first.page, 'wave');
    await first.page.locator('#chat-log li.persona').nth(1).waitFor({ timeout: 3000 });
    await send(first.page, 'nod');
    await first.page.locator('#chat-log li.persona').nth(2).waitFor({ timeout: 3000 });
    const replies = await first.page.$$eval('#chat-log li.persona', (lis) => lis.slice(1).map((li) => li.firstChild?.textContent ?? ''));

    const second = await open(server.url);
    await connected(second.page);
    await second.page.locator('#chat-log li.persona', { hasText: greeting }).waitFor({ timeout: 3000 });
    const lines = await chatLines(second.page);
    const texts = lines.map((l) => l.text);
    const wave = texts.indexOf('wave');
    expect(wave, JSON.stringify(lines)).toBeGreaterThanOrEqual(0);
    expect(texts.slice(wave, wave + 4)).toEqual(['wave', replies[0], 'nod', replies[1]]);
    expect(lines[wave]!.cls).toMatch(/\buser\b/);
    expect(lines[wave + 1]!.cls).toMatch(/\bpersona\b/);
    expect(texts.lastIndexOf(greeting)).toBeGreaterThan(wave + 3);
    await first.page.close();
    await second.page.close();
  });

  it('the input takes at most what the server accepts, and says so kindly', async () => {
    const { page } = await open(server.url);
    await connected(page);
    const limit = Number(await page.getAttribute('#chat-input', 'maxlength'));
    expect(ClientMessageSchema.safeParse({ type: 'chat', text: 'a'.repeat(limit) }).success).toBe(true);
    expect(ClientMessageSchema.safeParse({ type: 'chat', text: 'a'.repeat(limit + 1) }).success).toBe(false);
    await page.click('#chat-input');
    await page.keyboard.insertText('x'.repeat(5000));
    expect((await page.inputValue('#chat-input')).length).toBe(limit);
    await page.locator('#chat-limit', { hasText: /2,000 characters/ }).waitFor({ state: 'visible', timeout: 1000 });
    // A longer line set from a script (bypassing maxlength) is not sent either.
    await page.evaluate(() => ((document.getElementById('chat-input') as HTMLInputElement).value = 'y'.repeat(5000)));
    await page.press('#chat-input', 'Enter');
    await page.waitForTimeout(300);
    expect((await chatLines(page)).some((l) => l.text.length > limit || /invalid message|Too big/.test(l.text))).toBe(false);
    await page.close();
  });

  it("the server's errors read as plain words", () => {
    expect(plainError('invalid message: text: Too big: expected string to have <=2000 characters')).toBe(
      'That message is too long: the limit is 2,000 characters. Try a shorter one.',
    );
    expect(plainError('chat line too long: 2400 characters; the limit is 2000. Send a shorter message.')).toBe(
      'That message is too long: the limit is 2,000 characters. Try a shorter one.',
    );
    expect(plainError('too many chat lines: at most 5 a second (bursts of 10); "hello" was not read')).toBe(
      'That was a lot at once: "hello" was not read. Wait a second and send it again.',
    );
    expect(plainError('chat line is empty: say something, e.g. "wave"')).toBe('Say something first, e.g. "wave".');
    expect(plainError('invalid message: type: Invalid input')).toMatch(/^The page and the server disagree/);
    expect(plainError('something new')).toBe('Something went wrong: something new');
  });

  it('a server with a token, opened without it, says so and stops retrying', async () => {
    const { page } = await open(guarded.url);
    let loads = 0;
    page.on('load', () => loads++);
    await page.locator('#token-needed').waitFor({ state: 'visible', timeout: 5000 });
    expect(await page.textContent('#token-needed')).toMatch(/needs a token.*open the URL .*printed/is);
    await page.waitForTimeout(4500);
    expect(loads).toBe(0);
    await page.close();
  });

  it('the same server opened with its token connects and reads the history with it', async () => {
    const first = await open(`${guarded.url}/?token=${TOKEN}`);
    await connected(first.page);
    expect(await first.page.isVisible('#token-needed')).toBe(false);
    await send(first.page, 'wave');
    await first.page.locator('#chat-log li.persona').nth(1).waitFor({ timeout: 3000 });
    const second = await open(`${guarded.url}/?token=${TOKEN}`);
    await connected(second.page);
    await second.page.locator('#chat-log li.user', { hasText: 'wave' }).waitFor({ timeout: 3000 });
    await first.page.close();
    await second.page.close();
  });

  it('"Things to say": clicking a line sends it', async () => {
    const { page } = await open(server.url);
    await connected(page);
    const lines = page.locator('#suggestions button');
    expect(await lines.count()).toBeGreaterThanOrEqual(5);
    const wave = lines.filter({ hasText: /^wave$/ });
    const before = await page.locator('#chat-log li.user').count();
    await wave.click();
    await page.locator('#chat-log li.user').nth(before).waitFor({ timeout: 2000 });
    expect(await page.locator('#chat-log li.user').nth(before).textContent()).toBe('wave');
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'wave', null, { timeout: 2000 });
    await page.close();
  });
});
