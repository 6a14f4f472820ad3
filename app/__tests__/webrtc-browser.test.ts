/**
 * Chromium as a real WHEP client (/viewer: an RTCPeerConnection POSTing its offer to /whep): it
 * decodes the stream, the decoded pixels match the engine's frame, and "wave" visibly changes them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { startServer, type RunningServer } from '../server.js';
import { launchChromium } from '../../bench/chromium.js';

const BACKGROUND = [38, 42, 53] as const;
let server: RunningServer;
let browser: BrowserContext;
let page: Page;
let engineFrame: Uint8Array | null = null;

/**
 * Measures the decoded video in the page (shipping a megabyte of pixels out per look is too slow):
 * the top row of non-background pixels left of `armX`, and mean colours of square regions.
 */
const probe = (armX: number, regions: { x: number; y: number; size: number }[]) =>
  page.evaluate(
    ({ armX, regions, bg }) => {
      const video = document.getElementById('video') as HTMLVideoElement;
      const canvas = document.createElement('canvas');
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(video, 0, 0);
      const { data, width, height } = ctx.getImageData(0, 0, canvas.width, canvas.height);
      let top = height;
      search: for (let y = 0; y < height; y++)
        for (let x = 0; x < armX; x++) {
          const i = (y * width + x) * 4;
          if (Math.abs(data[i]! - bg[0]!) + Math.abs(data[i + 1]! - bg[1]!) + Math.abs(data[i + 2]! - bg[2]!) > 60) {
            top = y;
            break search;
          }
        }
      const means = regions.map(({ x, y, size }) => {
        const sum = [0, 0, 0];
        for (let yy = y; yy < y + size; yy++) for (let xx = x; xx < x + size; xx++) for (let c = 0; c < 3; c++) sum[c]! += data[(yy * width + xx) * 4 + c]!;
        return sum.map((v) => v / (size * size));
      });
      return { width, height, top, means };
    },
    { armX, regions, bg: [...BACKGROUND] },
  );

const meanColour = (data: ArrayLike<number>, width: number, x0: number, y0: number, size: number) => {
  const sum = [0, 0, 0];
  for (let y = y0; y < y0 + size; y++) for (let x = x0; x < x0 + size; x++) for (let c = 0; c < 3; c++) sum[c]! += data[(y * width + x) * 4 + c]!;
  return sum.map((v) => v / (size * size));
};

/** Top row of non-background pixels in columns [0, x1) of an engine frame (alpha > 0 counts as figure). */
const topOfFigure = (image: { width: number; height: number; data: ArrayLike<number> }, x1: number) => {
  for (let y = 0; y < image.height; y++)
    for (let x = 0; x < x1; x++) {
      if (image.data[(y * image.width + x) * 4 + 3]! > 128) return y;
    }
  return image.height;
};

beforeAll(async () => {
  server = await startServer({ port: 0, background: [...BACKGROUND] });
  server.session.onFrame((frame) => (engineFrame = frame.rgba.slice()));
  browser = await launchChromium();
  page = await browser.newPage();
  await page.goto(`${server.url}/viewer`);
  await page.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, null, { timeout: 20_000 });
  await page.waitForTimeout(1000);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('WebRTC in Chromium', () => {
  it('receives and decodes the stream; its pixels match the engine frame over the background colour', async () => {
    const stats = await page.evaluate(async () => {
      const pc = (window as unknown as { viewerPc: RTCPeerConnection }).viewerPc;
      let framesDecoded = 0;
      let codec = '';
      (await pc.getStats()).forEach((s) => {
        if (s.type === 'inbound-rtp' && s.kind === 'video') framesDecoded = s.framesDecoded;
        if (s.type === 'codec') codec = s.mimeType;
      });
      return { framesDecoded, codec, state: pc.connectionState };
    });
    expect(stats.state).toBe('connected');
    expect(stats.framesDecoded).toBeGreaterThan(10);
    expect(stats.codec).toMatch(/video\/(VP8|VP9|AV1)/i);

    // The torso: same colour as the engine's frame there (it barely moves at rest), within codec error.
    const frame = engineFrame!;
    const top = topOfFigure({ width: 512, height: 512, data: frame }, 512);
    const torso = { x: 250, y: top + 140, size: 12 };
    const engine = meanColour(frame, 512, torso.x, torso.y, 12);
    const alpha = meanColour(frame.map((_, i) => frame[i - (i % 4) + 3]!), 512, torso.x, torso.y, 12)[0]! / 255;
    const expected = engine.map((v, c) => v * alpha + BACKGROUND[c]! * (1 - alpha));
    const image = await probe(0, [{ x: 4, y: 4, size: 16 }, torso]);
    expect([image.width, image.height]).toEqual([512, 512]);
    // Background: the corner is the configured colour.
    image.means[0]!.forEach((v, c) => expect(Math.abs(v - BACKGROUND[c]!)).toBeLessThan(8));
    image.means[1]!.forEach((v, c) => expect(Math.abs(v - expected[c]!), `channel ${c}: ${image.means[1]} vs ${expected}`).toBeLessThan(25));
  });

  it('"wave" visibly changes the decoded video: the arm side rises', async () => {
    const armX = Math.round(512 * 0.38);
    const before = (await probe(armX, [])).top;
    server.session.chat('wave');
    let after = before;
    const deadline = Date.now() + 2000;
    while (Date.now() < deadline && after >= before - 80) after = (await probe(armX, [])).top;
    expect(after, `arm-side top ${after} vs ${before} at rest`).toBeLessThan(before - 80);
  });
});
