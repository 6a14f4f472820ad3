/**
 * The frame-source panel in Debian's headless Chromium: the registry's sources listed, a form made
 * from the chosen source's JSON Schema, Switch → the stage shows the new source (pixels), a model set
 * that is missing → the reason on the page and the puppet still on the stage; then neural frames.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAdded } from '../../protocol/additions.js';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../../bench/chromium.js';
import { writeTinyDiffusionSet } from '../../native/__tests__/tiny-diffusion.js';

const SIZE = 128;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;

/** The stage's top-left inner pixel as the user sees it. */
const corner = async (): Promise<[number, number, number]> => {
  const box = (await page.locator('#stage canvas').boundingBox())!;
  const png = PNG.sync.read(await page.screenshot({ clip: { x: box.x + 12, y: box.y + 12, width: 4, height: 4 } }));
  return [png.data[0]!, png.data[1]!, png.data[2]!];
};
const near = (a: number[], b: number[], tolerance = 12) => a.every((v, i) => Math.abs(v - b[i]!) <= tolerance);
const STAGE_BACKGROUND = [0x26, 0x2a, 0x35];
const until = async (check: () => Promise<boolean>, ms = 10_000) => {
  const start = Date.now();
  while (!(await check()) && Date.now() - start < ms) await new Promise((r) => setTimeout(r, 50));
  return check();
};
const choose = async (id: string) => {
  await page.selectOption('#source-select', id);
  await page.waitForSelector(`#source-fields label`);
};

beforeAll(async () => {
  server = await startServer({ port: 0, width: SIZE, height: SIZE, voice: 'off' });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(server.url);
  await page.waitForFunction(() => (window as unknown as { personaStage?: { framesShown: number } }).personaStage!.framesShown > 3, null, { timeout: 15_000 });
  await page.click('#source-panel summary');
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('frame-source panel', () => {
  it('lists the sources and makes a form from the chosen one’s schema', async () => {
    await page.waitForFunction(() => document.querySelectorAll('#source-select option').length === 3);
    expect(await page.$$eval('#source-select option', (o) => o.map((e) => (e as HTMLOptionElement).value))).toEqual(['puppet', 'control', 'diffusion']);
    expect(await page.textContent('#source-panel summary span')).toBe('puppet');
    await choose('diffusion');
    const steps = page.locator('#source-fields input[name=steps]');
    expect(await steps.getAttribute('max')).toBe('4');
    expect(await steps.inputValue()).toBe('2');
    expect(await page.locator('#source-fields input[name=providers]').inputValue()).toBe('tensorrt,cuda,cpu');
  });

  it('Switch shows the control image on the stage, then the puppet again', async () => {
    expect(near(await corner(), STAGE_BACKGROUND)).toBe(true);
    await choose('control');
    await page.click('#source-form button');
    await page.waitForFunction(() => document.getElementById('source-status')!.textContent === 'showing control');
    expect(await until(async () => near(await corner(), [0, 0, 0]))).toBe(true); // the OpenPose image is on black
    await choose('puppet');
    await page.click('#source-form button');
    expect(await until(async () => near(await corner(), STAGE_BACKGROUND))).toBe(true);
  });

  it('a missing model set: the reason on the page, the puppet stays', async () => {
    await choose('diffusion');
    await page.fill('#source-fields input[name=modelsDir]', '/nowhere/models');
    await page.fill('#source-fields input[name=providers]', 'cpu');
    await page.click('#source-form button');
    await page.waitForFunction(() => document.getElementById('source-status')!.classList.contains('failed'), null, { timeout: 10_000 });
    expect(await page.textContent('#source-status')).toMatch(/^diffusion could not start: .*showing puppet$/);
    expect(near(await corner(), STAGE_BACKGROUND)).toBe(true);
  });

  it.skipIf(!isAdded('neural'))('neural frames on the stage, the provider in the summary', async () => {
    const dir = writeTinyDiffusionSet(mkdtempSync(path.join(os.tmpdir(), 'tiny-sd-')), { size: SIZE });
    await choose('diffusion');
    await page.fill('#source-fields input[name=modelsDir]', dir);
    await page.fill('#source-fields input[name=providers]', 'cpu');
    await page.fill('#source-fields input[name=threads]', '1');
    await page.click('#source-form button');
    await page.waitForFunction(() => document.getElementById('source-status')!.textContent === 'showing diffusion on cpu', null, { timeout: 20_000 });
    expect(await page.textContent('#source-panel summary span')).toBe('diffusion on cpu');
    // The neural frame is opaque: the stage's corner is no longer its background.
    expect(await until(async () => !near(await corner(), STAGE_BACKGROUND, 20))).toBe(true);
    const dirOut = process.env.PERSONA_SCREENSHOTS ?? path.join(os.tmpdir(), 'persona-screenshots');
    mkdirSync(dirOut, { recursive: true });
    writeFileSync(path.join(dirOut, 'source-panel.png'), await page.screenshot());
  });
});
