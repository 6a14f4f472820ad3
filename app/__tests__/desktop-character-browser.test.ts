/**
 * The desktop character page (/character) in Debian's headless Chromium: the persona on a transparent
 * page (a screenshot without the browser's white backdrop keeps alpha 0 wherever her frame has none),
 * the hit test the desktop shell's click-through asks, and the chat bubble end to end.
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
/** The character window's size here: 360 px wide, so the persona is 360×360 at the bottom and 140 px above are for the bubble. */
const WIDTH = 360;
const HEIGHT = 500;
const CANVAS_TOP = HEIGHT - WIDTH;

interface Character {
  hitTest(x: number, y: number): boolean;
  alphaAt(x: number, y: number): number;
  framesShown: number;
}

/** A screenshot with a transparent page background (Chromium's default white left out), as the desktop would composite it. */
const shoot = async () => PNG.sync.read(await page.screenshot({ omitBackground: true }));
const alpha = (png: PNG, x: number, y: number) => png.data[(y * png.width + x) * 4 + 3]!;

/** The frame's own alpha at every CSS pixel of the window, read in the page (0 above the canvas). */
const frameAlpha = () =>
  page.evaluate(([w, h]) => {
    const c = (window as unknown as { personaCharacter: Character }).personaCharacter;
    const out: number[] = [];
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out.push(c.alphaAt(x + 0.5, y + 0.5));
    return out;
  }, [WIDTH, HEIGHT] as const);

/** Top row of opaque pixels in columns [x0, x1) of a screenshot, below the bubble (whose bottom sits 12 px into the canvas). */
const topRow = (png: PNG, x0: number, x1: number) => {
  for (let y = CANVAS_TOP + 14; y < png.height; y++) for (let x = x0; x < x1; x++) if (alpha(png, x, y) > 128) return y;
  return png.height;
};

/** A point on her chest: a third of the way down her opaque pixels, in the middle of that row's widest opaque run. */
const chestPoint = (frame: number[]) => {
  let top = -1, bottom = -1;
  for (let i = 0; i < frame.length; i++) if (frame[i] === 255) (top = top < 0 ? Math.floor(i / WIDTH) : top, bottom = Math.floor(i / WIDTH));
  const y = Math.round(top + (bottom - top) / 3);
  let best = { start: 0, length: 0 };
  for (let x = 0, start = -1; x <= WIDTH; x++) {
    const opaque = x < WIDTH && frame[y * WIDTH + x] === 255;
    if (opaque && start < 0) start = x;
    if (!opaque && start >= 0) {
      if (x - start > best.length) best = { start, length: x - start };
      start = -1;
    }
  }
  return { x: best.start + Math.floor(best.length / 2), y };
};

const SCREENSHOTS = process.env.PERSONA_SCREENSHOTS ?? path.join(os.tmpdir(), 'persona-screenshots');
const keep = (name: string, png: PNG) => {
  mkdirSync(SCREENSHOTS, { recursive: true });
  writeFileSync(path.join(SCREENSHOTS, `${name}.png`), PNG.sync.write(png));
};

/** The shot over a grey checkerboard, as image editors show transparency: for people looking at the PNG. */
const onCheckerboard = (png: PNG) => {
  const out = new PNG({ width: png.width, height: png.height });
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const back = ((x >> 3) + (y >> 3)) % 2 ? 0x9a : 0x6a;
      const a = png.data[i + 3]! / 255;
      for (let c = 0; c < 3; c++) out.data[i + c] = Math.round(png.data[i + c]! * a + back * (1 - a));
      out.data[i + 3] = 255;
    }
  return out;
};

const waitForFrames = (n: number) =>
  page.waitForFunction((n) => (window as unknown as { personaCharacter: Character }).personaCharacter.framesShown > n, n, { timeout: 15_000 });

beforeAll(async () => {
  server = await startServer({ port: 0 });
  browser = await launchChromium();
  page = await browser.newPage();
  await page.setViewportSize({ width: WIDTH, height: HEIGHT });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(`${server.url}/character`);
  await waitForFrames(3);
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the desktop character page in Chromium', () => {
  it('is served with the pages’ security headers', async () => {
    const response = await fetch(`${server.url}/character`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('has a transparent background: alpha 0 wherever her frame has none, opaque on her', async () => {
    // Shot and frame a tick apart would differ where she breathes: read the frame, shoot, read again, and judge only what both frames agree on.
    const before = await frameAlpha();
    const shot = await shoot();
    const after = await frameAlpha();
    expect(shot.width).toBe(WIDTH);
    let clear = 0, solid = 0, wrong: string[] = [];
    for (let y = 2; y < HEIGHT - 2; y++)
      for (let x = 2; x < WIDTH - 2; x++) {
        // Away from her outline (scaling blends neighbours): the 5×5 around the pixel all fully clear or all fully opaque, in both frames.
        let min = 255, max = 0;
        for (let dy = -2; dy <= 2; dy++)
          for (let dx = -2; dx <= 2; dx++) {
            const i = (y + dy) * WIDTH + x + dx;
            min = Math.min(min, before[i]!, after[i]!);
            max = Math.max(max, before[i]!, after[i]!);
          }
        const seen = alpha(shot, x, y);
        if (max === 0) {
          clear++;
          if (seen !== 0 && wrong.length < 5) wrong.push(`(${x},${y}) alpha ${seen} where the frame is clear`);
        } else if (min === 255) {
          solid++;
          if (seen < 250 && wrong.length < 5) wrong.push(`(${x},${y}) alpha ${seen} on her`);
        }
      }
    expect(wrong).toEqual([]);
    // Most of the window is desktop; she is a real part of it.
    expect(clear).toBeGreaterThan(WIDTH * HEIGHT * 0.5);
    expect(solid).toBeGreaterThan(WIDTH * WIDTH * 0.05);
    // The room above her (for the bubble) is clear too while the bubble is closed.
    for (let y = 0; y < CANVAS_TOP - 20; y += 7) for (let x = 0; x < WIDTH; x += 7) expect(alpha(shot, x, y)).toBe(0);
    keep('desktop-character', shot);
  });

  it('hit test: true on her, false beside her', async () => {
    const frame = await frameAlpha();
    const on = chestPoint(frame);
    const beside = { x: 6, y: on.y };
    expect(frame[on.y * WIDTH + on.x]).toBe(255);
    expect(frame[beside.y * WIDTH + beside.x]).toBe(0);
    const hit = (p: { x: number; y: number }) =>
      page.evaluate(({ x, y }) => (window as unknown as { personaCharacter: Character }).personaCharacter.hitTest(x, y), p);
    expect(await hit(on)).toBe(true);
    expect(await hit(beside)).toBe(false);
    // Above her (where the bubble will be) is nothing while the bubble is closed.
    expect(await hit({ x: WIDTH / 2, y: 40 })).toBe(false);
    // Her soft ground shadow and the fringe of her outline are drawn but take no clicks: the most opaque such pixel by her feet.
    let shadow = { x: 0, y: 0, alpha: 0 };
    for (let y = HEIGHT - 30; y < HEIGHT; y++)
      for (let x = 0; x < WIDTH; x++) {
        const a = frame[y * WIDTH + x]!;
        if (a > shadow.alpha && a < 128) shadow = { x, y, alpha: a };
      }
    expect(shadow.alpha).toBeGreaterThan(20);
    expect(await hit(shadow)).toBe(false);
  });

  it('the chat bubble: a click on her opens it; "wave" sent from it makes her wave (state and pixels)', async () => {
    const frame = await frameAlpha();
    const on = chestPoint(frame);
    // A click beside her does nothing (in the desktop app it would have gone to the desktop).
    await page.mouse.click(6, on.y);
    expect(await page.isVisible('#bubble')).toBe(false);
    await page.mouse.click(on.x, on.y);
    await page.waitForSelector('#bubble', { state: 'visible', timeout: 2000 });
    // While open, the bubble takes clicks too.
    const box = (await page.locator('#bubble').boundingBox())!;
    expect(await page.evaluate(({ x, y }) => (window as unknown as { personaCharacter: Character }).personaCharacter.hitTest(x, y), { x: box.x + 10, y: box.y + 10 })).toBe(true);
    keep('desktop-character-bubble', await shoot());

    // Her raised arm shows on the viewer's left (her right) side: its top row before and while she waves.
    const rest = await shoot();
    const armSide = topRow(rest, 0, Math.round(WIDTH * 0.38));
    expect(await page.evaluate(() => document.body.dataset.action)).toBe('idle');
    await page.fill('#bubble-input', 'wave');
    await page.press('#bubble-input', 'Enter');
    await page.waitForFunction(() => document.body.dataset.action === 'wave', null, { timeout: 2000 });
    let waving = await shoot();
    const started = Date.now();
    while (topRow(waving, 0, Math.round(WIDTH * 0.38)) > armSide - 40 && Date.now() - started < 2000) waving = await shoot();
    expect(topRow(waving, 0, Math.round(WIDTH * 0.38)), `arm top row (rest ${armSide})`).toBeLessThan(armSide - 40);
    keep('desktop-character-wave', waving);
    keep('desktop-character-wave-checkerboard', onCheckerboard(waving));
    await page.waitForFunction(() => document.getElementById('bubble-reply')!.textContent!.length > 0, null, { timeout: 3000 });
    // Escape closes the bubble; the space above her is clear again.
    await page.keyboard.press('Escape');
    expect(await page.isVisible('#bubble')).toBe(false);
  });

  it('draws only when a frame arrives: no animation loop; hidden, it asks the server for no frames and draws nothing', async () => {
    // Headless Chromium's tabs are always visible: the page is told it is hidden the way a hidden window tells it.
    const counts = await page.evaluate(async () => {
      const c = (window as unknown as { personaCharacter: Character }).personaCharacter;
      let animationFrames = 0;
      const original = window.requestAnimationFrame;
      window.requestAnimationFrame = (cb) => (animationFrames++, original(cb));
      const setHidden = (hidden: boolean) => {
        Object.defineProperty(document, 'hidden', { value: hidden, configurable: true });
        document.dispatchEvent(new Event('visibilitychange'));
      };
      const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      const visibleStart = c.framesShown;
      await wait(1000);
      const visible = c.framesShown - visibleStart;
      setHidden(true);
      await wait(300); // frames already on their way (at most two unacknowledged) arrive
      const hiddenStart = c.framesShown;
      await wait(1000);
      const hidden = c.framesShown - hiddenStart;
      setHidden(false);
      await wait(1000);
      const again = c.framesShown - hiddenStart;
      return { visible, hidden, again, animationFrames };
    });
    expect(counts.visible).toBeGreaterThan(10); // 30 frames a second from the server, less on a busy machine
    expect(counts.hidden).toBe(0);
    expect(counts.again).toBeGreaterThan(10);
    expect(counts.animationFrames).toBe(0);
  });

  it('opaque mode (where the desktop has no transparency): a dark backdrop and a line that says why', async () => {
    const opaque = await browser.newPage();
    await opaque.setViewportSize({ width: WIDTH, height: HEIGHT });
    await opaque.goto(`${server.url}/character?mode=opaque&note=${encodeURIComponent('no compositor: opaque window')}`);
    await opaque.waitForFunction(() => (window as unknown as { personaCharacter: Character }).personaCharacter.framesShown > 2, null, { timeout: 15_000 });
    const shot = PNG.sync.read(await opaque.screenshot({ omitBackground: true }));
    for (let y = 0; y < HEIGHT; y += 11) for (let x = 0; x < WIDTH; x += 11) expect(alpha(shot, x, y)).toBe(255);
    expect(await opaque.textContent('#note')).toBe('no compositor: opaque window');
    keep('desktop-character-opaque', shot);
    await opaque.close();
  });
});
