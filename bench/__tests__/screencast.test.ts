/**
 * The bench's "drawn" glass-to-glass reading: the send-time stamp is read back from Chromium's own
 * small screencast frames. A page shows a 512² canvas laid out as the viewer lays out its video
 * (object-fit: contain in 1100×600) and draws a new stamp every 50 ms; every stamp read from the
 * screencast must be one the page drew.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { launchChromium } from '../chromium.js';
import { drawnLatencies, startScreencastStamps } from '../screencast.js';

const PAGE = `<!doctype html><html><body style="margin:0;height:100vh;background:#000">
<canvas id="video" width="512" height="512" style="width:100%;height:100%;object-fit:contain;display:block"></canvas>
<script>
  const ctx = document.getElementById('video').getContext('2d');
  window.drawn = [];
  let value = 0x5a3c0f;
  const draw = () => {
    ctx.fillStyle = 'rgb(38,42,53)';
    ctx.fillRect(0, 0, 512, 512);
    for (let bit = 0; bit < 24; bit++) {
      ctx.fillStyle = (value >> (23 - bit)) & 1 ? '#fff' : '#000';
      ctx.fillRect(bit * 16, 0, 16, 16);
    }
    window.drawn.push(value);
    value = (value * 7 + 12345) & 0xffffff; // every bit changes now and then
  };
  draw();
  setInterval(draw, 50);
</script></body></html>`;

let browser: BrowserContext;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

describe('screencast stamps', () => {
  it('reads the stamps a page draws from its 320 px screencast frames', async () => {
    const page = await browser.newPage();
    await page.setContent(PAGE);
    const cast = await startScreencastStamps(page);
    await page.waitForFunction('window.drawn.length > 40', null, { timeout: 20_000 });
    const { firstSeen, frames } = await cast.stop();
    const drawn = new Set((await page.evaluate('window.drawn')) as number[]);
    expect(frames).toBeGreaterThan(3);
    expect(firstSeen.size).toBeGreaterThan(3);
    for (const stamp of firstSeen.keys()) expect(drawn.has(stamp), `stamp ${stamp.toString(16)} was never drawn`).toBe(true);
    await page.close();
  });

  it('subtracts modulo 2^24 and drops misread stamps', () => {
    const base = 0x7000000; // a wall time whose low 24 bits are 0
    const seen = new Map([
      [0xfffff0, base + 0x10 + 0.5], // stamped before the low bits wrapped: 32.5 ms
      [0x000100, base + 0x100 + 12], // 12 ms
      [0x123456, base + 0x200], // misread: ~15 s off
    ]);
    expect(drawnLatencies(seen)).toEqual([32.5, 12]);
  });
});
