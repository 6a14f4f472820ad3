/**
 * Lines said to her by someone else show on the page (issue 17): a program's `POST /api/chat`, an
 * agent's MCP `say` and a line typed in another tab appear in an open page in Debian's Chromium,
 * marked with where they came from, followed by her reply — the reply the caller got.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../../bench/chromium.js';

let server: RunningServer;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  server = await startServer({ port: 0, width: 128, height: 128, voice: 'off', persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }) });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById('connection')!.textContent === 'connected', null, { timeout: 15_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The chat log as the page shows it: each line's classes, its own text (badges apart) and its badge. */
const log = (p: Page) =>
  p.$$eval('#chat-log li', (lis) => lis.map((li) => ({ cls: li.className, text: li.firstChild?.textContent ?? '', badge: li.querySelector('.via')?.textContent ?? null })));

/** Waits until the page shows `text` as someone else's line, and returns the lines from there on once her reply to it is shown. */
const remoteTurn = async (p: Page, text: string, reply: string) => {
  await p.waitForFunction(
    ([line, answer]) => {
      const lis = [...document.querySelectorAll('#chat-log li')];
      const at = lis.findIndex((li) => li.classList.contains('remote') && li.firstChild?.textContent === line);
      return at >= 0 && lis.slice(at + 1).some((li) => li.classList.contains('persona') && li.firstChild?.textContent === answer);
    },
    [text, reply] as const,
    { timeout: 5000 },
  );
  const lines = await log(p);
  return lines.slice(lines.findIndex((l) => l.cls.includes('remote') && l.text === text));
};

describe('lines from programs and other tabs on the page', () => {
  it('a REST chat line shows "via API" with her reply and the directive it sent', async () => {
    const response = await fetch(`${server.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'wave twice' }) });
    expect(response.status).toBe(200);
    const turn = (await response.json()) as { reply: string; directives: unknown[] };
    expect(turn.reply.length).toBeGreaterThan(0);
    const lines = await remoteTurn(page, 'wave twice', turn.reply);
    expect(lines[0]).toMatchObject({ badge: 'via API' });
    expect(lines[0]!.cls).toMatch(/\buser\b/);
    const replyAt = lines.findIndex((l) => l.cls.includes('persona') && l.text === turn.reply);
    // Between the line and her reply: the wave it started, as for a line typed here.
    expect(lines.slice(1, replyAt).some((l) => l.cls === 'directive' && /wave ×2/.test(l.text)), JSON.stringify(lines)).toBe(true);
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'wave', null, { timeout: 3000 });
  });

  it('a streamed REST chat line shows too', async () => {
    const response = await fetch(`${server.url}/api/chat?stream=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'nod' }) });
    const events = await response.text();
    const reply = (JSON.parse(/event: reply\ndata: (.*)\n/.exec(events)![1]!) as { text: string }).text;
    const lines = await remoteTurn(page, 'nod', reply);
    expect(lines[0]).toMatchObject({ badge: 'via API' });
  });

  it('an MCP say shows "via MCP" with her reply', async () => {
    const client = new Client({ name: 'persona-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    try {
      const result = (await client.callTool({ name: 'say', arguments: { text: 'look happy' } })) as { structuredContent?: { reply: string } };
      const reply = result.structuredContent!.reply;
      const lines = await remoteTurn(page, 'look happy', reply);
      expect(lines[0]).toMatchObject({ badge: 'via MCP' });
    } finally {
      await client.close();
    }
  });

  it('a line typed in another tab shows "from another tab"; the tab that typed it shows it once, as its own', async () => {
    const other = await browser.newPage();
    try {
      await other.goto(server.url);
      await other.waitForFunction(() => document.getElementById('connection')!.textContent === 'connected', null, { timeout: 15_000 });
      await other.fill('#chat-input', 'jump');
      await other.press('#chat-input', 'Enter');
      // Her reply: the first persona line after the line typed.
      await other.waitForFunction(() => {
        const lis = [...document.querySelectorAll('#chat-log li')];
        const at = lis.findIndex((li) => li.className === 'user' && li.textContent === 'jump');
        return at >= 0 && lis.slice(at + 1).some((li) => li.classList.contains('persona'));
      }, null, { timeout: 5000 });
      const own = await log(other);
      const at = own.findIndex((l) => l.cls === 'user' && l.text === 'jump');
      const reply = own.slice(at).find((l) => l.cls.includes('persona'))!.text;
      expect(own.filter((l) => l.cls.includes('user') && l.text === 'jump')).toEqual([{ cls: 'user', text: 'jump', badge: null }]);
      const lines = await remoteTurn(page, 'jump', reply);
      expect(lines[0]).toMatchObject({ badge: 'from another tab' });
    } finally {
      await other.close();
    }
  });
});
