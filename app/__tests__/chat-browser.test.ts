/**
 * The chat in Chromium with an LLM behind it (the OpenAI double): the reply streams into one bubble,
 * directives show as they are sent, the provider is named, and when the endpoint goes down the
 * built-in interpreter answers within 2 s and the page says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { OpenAiDouble } from '../../persona/__tests__/openai-double.js';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../../bench/chromium.js';

let double: OpenAiDouble;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;

beforeAll(async () => {
  double = await OpenAiDouble.start();
  server = await startServer({ port: 0, width: 128, height: 128, persona: PersonaConfigSchema.parse({ provider: 'openai', dataDir: ':memory:', openai: { baseUrl: double.baseUrl, model: 'test', timeoutMs: 1500 } }) });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById('connection')!.textContent === 'connected', null, { timeout: 15_000 });
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await double?.close();
});

const send = async (text: string) => {
  await page.fill('#chat-input', text);
  await page.press('#chat-input', 'Enter');
};

describe('chat with an LLM in Chromium', () => {
  it('shows the started action at once, streams the reply into one bubble, and names the provider', async () => {
    double.queue({ pieces: ['{"action":{"name":"wave"},', '"dialogue":"Hello', ' from', ' the', ' model!"}'], delayBetweenMs: 250 });
    const before = await page.locator('#chat-log li.persona').count();
    await send('wave please');
    await page.locator('#chat-log li.directive', { hasText: 'wave · started at once' }).waitFor({ timeout: 1000 });
    const bubble = page.locator('#chat-log li.persona').nth(before);
    await page.waitForFunction((n) => { const li = document.querySelectorAll('#chat-log li.persona')[n]; return !!li && /^Hello from/.test(li.textContent ?? '') && !li.querySelector('.provider'); }, before, { timeout: 3000 });
    await bubble.locator('.provider').waitFor({ timeout: 3000 });
    expect(await bubble.textContent()).toBe('Hello from the model!openai');
    expect(await page.locator('#chat-log li.persona').count()).toBe(before + 1);
    expect(await page.textContent('#provider')).toBe('openai');
    expect(await page.locator('#chat-log li.directive').count()).toBe(1); // the model confirmed the wave: nothing twice
  });

  it('says so when the LLM is unreachable, and the built-in interpreter answers within 2 s', async () => {
    await double.close();
    const before = await page.locator('#chat-log li.persona').count();
    const sentAt = Date.now();
    await send('nod twice');
    await page.locator('#chat-log li.notice.warning', { hasText: 'could not answer' }).waitFor({ timeout: 2000 });
    await page.locator('#chat-log li.persona').nth(before).locator('.provider').waitFor({ timeout: 2000 });
    expect(Date.now() - sentAt).toBeLessThan(2000);
    expect(await page.textContent('#chat-log li.notice.warning')).toMatch(/The openai model could not answer \(cannot reach .*\); the built-in interpreter answered instead\./);
    expect(await page.textContent('#provider')).toBe('embedded');
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'nod', null, { timeout: 1000 });
  });
});
