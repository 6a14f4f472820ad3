/**
 * The page from phone to desktop (issue 18, item 8), in headless Chromium at 390×844, 1366×650 and
 * 1920×1080: nothing wider than the screen, a chat log tall enough to read, the newest message in
 * view, the whole stage visible, and the F3 profiler beside the character rather than over it.
 * PERSONA_SCREENSHOTS=docs/screenshots refreshes docs/screenshots/ui-{390,1366,1920}.png.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { BrowserContext, Page } from 'playwright-core';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../../bench/chromium.js';

const SCREENSHOTS = process.env.PERSONA_SCREENSHOTS ?? path.join(os.tmpdir(), 'persona-screenshots');

let server: RunningServer;
let browser: BrowserContext;

beforeAll(async () => {
  server = await startServer({ port: 0, persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }) });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

const LINES = ['hello!', 'wave', 'nod twice', 'look happy', 'sit down', 'stand up', 'look at me'];

/** What the layout looks like once a conversation has filled the log. */
const measure = (page: Page) =>
  page.evaluate(() => {
    const box = (el: Element | null) => {
      const r = el!.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height };
    };
    const items = document.querySelectorAll('#chat-log li');
    return {
      viewport: { width: innerWidth, height: innerHeight },
      scrollWidth: document.documentElement.scrollWidth,
      scrollHeight: document.documentElement.scrollHeight,
      log: box(document.getElementById('chat-log')),
      newest: box(items[items.length - 1]!),
      stage: box(document.querySelector('#stage canvas')),
      input: box(document.getElementById('chat-input')),
      suggestions: box(document.getElementById('suggestions')),
    };
  });

describe.each([
  { width: 390, height: 844, minLog: 160 },
  { width: 1366, height: 650, minLog: 200 },
  { width: 1920, height: 1080, minLog: 300 },
])('the UI at $width×$height', ({ width, height, minLog }) => {
  let page: Page;

  beforeAll(async () => {
    page = await browser.newPage();
    await page.setViewportSize({ width, height });
    await page.goto(server.url);
    await page.waitForFunction(() => (window as unknown as { personaStage?: { framesShown: number } }).personaStage!.framesShown > 3, null, { timeout: 15_000 });
    for (const line of LINES) {
      const replies = await page.locator('#chat-log li.persona').count();
      await page.fill('#chat-input', line);
      await page.press('#chat-input', 'Enter');
      await page.locator('#chat-log li.persona').nth(replies).waitFor({ timeout: 3000 });
    }
    // At rest for the pictures: standing again, the last gesture done.
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'idle', null, { timeout: 6000 });
    await page.waitForTimeout(400);
  });

  afterAll(async () => {
    await page?.close();
  });

  it('fits: no sideways scrolling, the chat log tall enough, the newest message and the input in view, the stage whole', async () => {
    const m = await measure(page);
    const shot = await page.screenshot();
    mkdirSync(SCREENSHOTS, { recursive: true });
    writeFileSync(path.join(SCREENSHOTS, `ui-${width}.png`), shot);
    expect(m.scrollWidth, JSON.stringify(m)).toBeLessThanOrEqual(width);
    expect(m.scrollHeight, JSON.stringify(m)).toBeLessThanOrEqual(height);
    expect(m.log.height, JSON.stringify(m)).toBeGreaterThanOrEqual(minLog);
    expect(m.newest.bottom, JSON.stringify(m)).toBeLessThanOrEqual(Math.min(m.log.bottom, height) + 1);
    expect(m.newest.top).toBeGreaterThanOrEqual(m.log.top - 1);
    expect(m.input.bottom).toBeLessThanOrEqual(height);
    expect(m.input.right).toBeLessThanOrEqual(width);
    expect(m.stage.top).toBeGreaterThanOrEqual(0);
    expect(m.stage.left).toBeGreaterThanOrEqual(0);
    expect(m.stage.bottom).toBeLessThanOrEqual(height);
    expect(m.stage.right).toBeLessThanOrEqual(width);
    expect(m.stage.width).toBeGreaterThanOrEqual(Math.min(340, width - 40));
    if (width === 1366) expect(m.stage.width, 'a laptop shows the 512 px frame one to one').toBe(512);
    expect(m.suggestions.bottom).toBeLessThanOrEqual(height);
  });

  it('a streaming reply that grows the newest bubble keeps it in view', async () => {
    const grow = (on: boolean) =>
      page.evaluate((on) => {
        const last = document.getElementById('chat-log')!.lastElementChild!.firstChild!;
        const tail = ' And a much longer tail that wraps over several lines of the bubble,'.repeat(6);
        last.textContent = on ? last.textContent + tail : last.textContent!.replace(tail, '');
      }, on);
    await grow(true);
    await page.waitForTimeout(100);
    const m = await measure(page);
    await grow(false);
    expect(m.newest.bottom, JSON.stringify(m)).toBeLessThanOrEqual(Math.min(m.log.bottom, height) + 1);
  });

  it.skipIf(width < 700)('F3: the profiler draws its bars above the character and its numbers beside the stage, not over her', async () => {
    const stage = (await page.locator('#stage canvas').boundingBox())!;
    const darkBelowStrip = async () => {
      const png = PNG.sync.read(await page.screenshot({ clip: stage }));
      const from = Math.round(png.height * 0.25); // below the bar strip: her head, body and legs
      let dark = 0;
      for (let y = from; y < png.height; y++)
        for (let x = 0; x < png.width; x++) {
          const i = (y * png.width + x) * 4;
          if (png.data[i]! + png.data[i + 1]! + png.data[i + 2]! < 40) dark++;
        }
      return dark;
    };
    const before = await darkBelowStrip();
    await page.keyboard.press('F3');
    await page.waitForFunction(() => (window as unknown as { profilerOverlay: { updates: number } }).profilerOverlay.updates >= 2, null, { timeout: 5000 });
    await page.waitForTimeout(300);
    const after = await darkBelowStrip();
    if (width === 1366) writeFileSync(path.join(SCREENSHOTS, `ui-${width}-profiler.png`), await page.screenshot());
    expect(after, `dark pixels below the strip: ${before} without the profiler, ${after} with it`).toBeLessThan(before + 1500);
    expect(await page.isVisible('#profiler-panel')).toBe(true);
    expect(await page.textContent('#profiler-panel')).toMatch(/fps .*tick p50/s);
    const m = await measure(page);
    expect(m.log.height).toBeGreaterThanOrEqual(width >= 1900 ? 200 : 120);
    await page.keyboard.press('F3');
    expect(await page.isVisible('#profiler-panel')).toBe(false);
  });
});
