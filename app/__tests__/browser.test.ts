/**
 * End to end in Debian's headless Chromium: type into the chat, press Enter, and measure the
 * stage's pixels as the user sees them (screenshots of the PixiJS canvas).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../../bench/chromium.js';

let server: RunningServer;
let browser: BrowserContext;
let page: Page;
let stageBox: { x: number; y: number; width: number; height: number };

/** Stage background #262a35, and the page's #15171d in the stage's rounded corners: anything else is the persona. */
const BACKGROUNDS = [
  [0x26, 0x2a, 0x35],
  [0x15, 0x17, 0x1d],
];

interface Shot {
  png: PNG;
  isFigure(x: number, y: number): boolean;
}

const shoot = async (): Promise<Shot> => {
  // A clipped page screenshot: what the user sees, and about twice as fast as an element screenshot here.
  const png = PNG.sync.read(await page.screenshot({ clip: stageBox }));
  return {
    png,
    isFigure: (x, y) => {
      const i = (y * png.width + x) * 4;
      return BACKGROUNDS.every(([r, g, b]) => Math.abs(png.data[i]! - r!) + Math.abs(png.data[i + 1]! - g!) + Math.abs(png.data[i + 2]! - b!) > 30);
    },
  };
};

/** Top and bottom rows of the persona's pixels within columns [x0, x1). */
const silhouette = (shot: Shot, x0 = 0, x1 = shot.png.width) => {
  let top = shot.png.height, bottom = -1;
  for (let y = 0; y < shot.png.height; y++)
    for (let x = Math.round(x0); x < x1; x++)
      if (shot.isFigure(x, y)) {
        top = Math.min(top, y);
        bottom = Math.max(bottom, y);
      }
  return { top, bottom, height: bottom - top };
};

/** Types a line and presses Enter; returns the persona's reply count before it and when Enter went. */
const say = async (text: string) => {
  const replies = await page.locator('#chat-log li.persona').count();
  await page.fill('#chat-input', text);
  await page.press('#chat-input', 'Enter');
  return { replies, sentAt: Date.now() };
};

/** Waits for the persona's next reply in the chat and returns how long after `sentAt` it appeared, ms. */
const replyDelay = async (repliesBefore: number, sentAt: number) => {
  const reply = page.locator('#chat-log li.persona').nth(repliesBefore);
  await reply.waitFor({ timeout: 3000 });
  return Number(await reply.getAttribute('data-at')) - sentAt;
};

/** Polls screenshots until `check` holds or `ms` have passed since `start`. */
const within = async (start: number, ms: number, check: (shot: Shot) => boolean) => {
  let shot = await shoot();
  while (!check(shot) && Date.now() - start < ms) shot = await shoot();
  return { shot, ok: check(shot), elapsed: Date.now() - start };
};

/** Stage screenshots to look at: PERSONA_SCREENSHOTS=docs/screenshots refreshes the ones the docs show. */
const SCREENSHOTS = process.env.PERSONA_SCREENSHOTS ?? path.join(os.tmpdir(), 'persona-screenshots');
const keep = (name: string, shot: Shot) => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(path.join(SCREENSHOTS, `${name}.png`), PNG.sync.write(shot.png));
};

beforeAll(async () => {
  server = await startServer({ port: 0 });
  browser = await launchChromium();
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(server.url);
  await page.waitForFunction(() => (window as unknown as { personaStage?: { framesShown: number } }).personaStage!.framesShown > 3, null, { timeout: 15_000 });
  expect(errors).toEqual([]);
  stageBox = (await page.locator('#stage canvas').boundingBox())!;
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the UI in Chromium', () => {
  it('shows the persona on the stage', async () => {
    const shot = await shoot();
    const body = silhouette(shot);
    expect(body.height).toBeGreaterThan(shot.png.height * 0.6);
    expect(await page.textContent('#character')).toBe('Aria');
    keep('stage-idle', shot);
  });

  it('"wave": within 1 s the arm rises on the stage, a reply appears and the UI shows action wave', async () => {
    const rest = await shoot();
    const armSide = silhouette(rest, 0, rest.png.width * 0.38);
    const { replies, sentAt } = await say('wave');
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'wave', null, { timeout: 1000 });
    // The live chart panel shows the activity region playing the gesture.
    expect(await page.textContent('#chart-states dd[data-region="activity"]')).toMatch(/^gesturing/);
    const { shot, ok, elapsed } = await within(sentAt, 1000, (s) => silhouette(s, 0, s.png.width * 0.38).top < armSide.top - 80);
    expect(ok, `arm top stayed near row ${silhouette(shot, 0, shot.png.width * 0.38).top} (rest ${armSide.top}) for ${elapsed} ms`).toBe(true);
    keep('stage-wave', shot);
    expect(await replyDelay(replies, sentAt)).toBeLessThanOrEqual(1000);
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'idle', null, { timeout: 5000 });
    expect(await page.textContent('#chart-states dd[data-region="activity"]')).toBe('idle');
  });

  it('toggles the profiler overlay with F3: bars per tick over the stage, then off again', async () => {
    const before = await shoot();
    await page.keyboard.press('F3');
    await page.waitForFunction(() => (window as unknown as { profilerOverlay: { updates: number } }).profilerOverlay.updates >= 3, null, { timeout: 5000 });
    expect(await page.getAttribute('#profiler-toggle', 'aria-pressed')).toBe('true');
    await say('wave');
    await page.waitForTimeout(600);
    const shot = await shoot();
    keep('profiler-overlay', shot);
    // The chart area (top 100 rows) is darkened, with coloured bars in it.
    const { png } = shot;
    let bright = 0;
    let dark = 0;
    for (let y = 8; y < 98; y++)
      for (let x = 8; x < png.width - 8; x++) {
        const i = (y * png.width + x) * 4;
        const [r, g, b] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60 && Math.max(r, g, b) > 120) bright++;
        if (r + g + b < 40) dark++;
      }
    expect(bright).toBeGreaterThan(50); // phase-coloured bars and the red budget line
    expect(dark).toBeGreaterThan(10_000); // the overlay's dark panel
    await page.click('#profiler-toggle');
    expect(await page.getAttribute('#profiler-toggle', 'aria-pressed')).toBe('false');
    await page.waitForTimeout(300);
    let stillDark = 0;
    const after = (await shoot()).png;
    for (let i = 0; i < 512 * 90 * 4; i += 4) if (after.data[i]! + after.data[i + 1]! + after.data[i + 2]! < 40) stillDark++;
    let darkBefore = 0;
    for (let i = 0; i < 512 * 90 * 4; i += 4) if (before.png.data[i]! + before.png.data[i + 1]! + before.png.data[i + 2]! < 40) darkBefore++;
    expect(stillDark).toBeLessThan(darkBefore + 2000);
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'idle', null, { timeout: 5000 });
  });

  it('"turn around": the status says she faces away, and "wave" turns her back to the camera first', async () => {
    await say('turn around');
    await page.waitForFunction(() => document.getElementById('facing')!.textContent === 'away', null, { timeout: 3000 });
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'idle', null, { timeout: 3000 });
    await say('wave');
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'face_camera', null, { timeout: 2000 });
    await page.waitForFunction(() => document.getElementById('facing')!.textContent === 'camera', null, { timeout: 3000 });
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'idle', null, { timeout: 5000 });
  });

  it('speaks: after a line is sent, her voice plays in the page while the mouth moves, and the sound button says so', async () => {
    await say('hello! how are you?');
    await page.waitForFunction(() => document.getElementById('sound-toggle')!.textContent === 'Sound on', null, { timeout: 2000 });
    // Poll what the page plays (an analyser before the speakers): the reply is heard.
    let loudest = 0;
    const until = Date.now() + 4000;
    while (Date.now() < until && loudest < 0.02) {
      loudest = Math.max(loudest, (await page.evaluate('window.personaVoice.outputLevel()')) as number);
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(loudest).toBeGreaterThan(0.02);
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'idle', null, { timeout: 5000 });
  });

  it('shows the action queue live: a step queued behind a running think', async () => {
    await say('think');
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'think', null, { timeout: 2000 });
    await say('step left');
    await page.waitForFunction(() => document.querySelector('#chart-queue span')!.textContent === 'step_left', null, { timeout: 2000 });
    // On a short window the panel starts folded, to leave the chat its room; it opens on a click.
    if (!(await page.isVisible('#chart-states'))) await page.click('#chart summary');
    expect(await page.isVisible('#chart-queue')).toBe(true);
    keep('chart-panel', { png: PNG.sync.read(await page.screenshot()), isFigure: () => false });
    await say('stop');
    await page.waitForFunction(() => document.querySelector('#chart-queue span')!.textContent === 'empty', null, { timeout: 2000 });
    await page.waitForFunction(() => document.getElementById('action')!.textContent === 'idle', null, { timeout: 2000 });
  });

  it('"sit down": within 1 s the silhouette gets shorter', async () => {
    const before = silhouette(await shoot());
    const { replies, sentAt } = await say('sit down');
    const { shot, ok, elapsed } = await within(sentAt, 1000, (s) => silhouette(s).height < before.height * 0.9);
    expect(ok, `height ${silhouette(shot).height} vs ${before.height} standing, after ${elapsed} ms`).toBe(true);
    expect(await replyDelay(replies, sentAt)).toBeLessThanOrEqual(1000);
    await page.waitForFunction(() => document.getElementById('posture')!.textContent === 'sitting', null, { timeout: 3000 });
    keep('stage-sitting', await shoot());
  });

  it('"look sad": within 1 s she is sad, and once her line is said the mouth is a frown', async () => {
    // Find the mouth: the darkest row near the middle column, in the lower half of the face.
    const mouthBend = (shot: Shot) => {
      const { png } = shot;
      const top = silhouette(shot).top;
      const darkestRow = (x: number) => {
        let best = -1, darkest = Infinity;
        for (let y = top + Math.round(png.height * 0.13); y < top + Math.round(png.height * 0.19); y++) {
          const i = (y * png.width + x) * 4;
          const v = png.data[i]! + png.data[i + 1]! + png.data[i + 2]!;
          if (v < darkest) [darkest, best] = [v, y];
        }
        return best;
      };
      const cx = Math.round(png.width / 2);
      // Positive when the middle of the mouth sits higher than its corners: a frown.
      return (darkestRow(cx - 5) + darkestRow(cx + 5)) / 2 - darkestRow(cx);
    };
    const speechIs = (state: string, timeout: number) =>
      page.waitForFunction((s) => document.querySelector('#chart-states dd[data-region="speech"]')?.textContent === s, state, { timeout });
    await page.waitForFunction(() => document.getElementById('expression')!.textContent === 'neutral', null, { timeout: 6000 });
    // The line of the test before may still be being said: its mouth is not the resting one.
    await speechIs('silent', 8000);
    const before = mouthBend(await shoot());
    expect(Math.abs(before)).toBeLessThanOrEqual(1);
    const { replies, sentAt } = await say('look sad');
    await page.waitForFunction(() => /^sad/.test(document.getElementById('expression')!.textContent!), null, { timeout: 1000 });
    expect(await replyDelay(replies, sentAt)).toBeLessThanOrEqual(1000);
    // She says her line while the sad face comes on (her mouth moves with the words); once she is
    // quiet, the mouth is a frown.
    // The voice hands the line over once it is synthesised, so wait for her to start before waiting for her to finish.
    await speechIs('speaking', 4000);
    await speechIs('silent', 8000);
    const { shot, ok, elapsed } = await within(Date.now(), 1000, (s) => mouthBend(s) >= 2);
    keep('stage-sad', shot);
    expect(ok, `mouth bend ${mouthBend(shot)} after ${elapsed} ms of quiet (neutral ${before})`).toBe(true);
    expect(await page.textContent('#expression')).toMatch(/^sad/);
  });
});
