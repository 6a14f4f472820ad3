/**
 * When Chromium's display compositor drew each stamped video frame. CDP `Page.startScreencast`
 * hands over the frames the compositor draws; the browser times each when the capture reaches it
 * (after the draw, so an upper bound on "drawn"). We read the send-time stamp (24 blocks of 16 px
 * across the video's top left, app/webrtc/time-stamp.ts) from each small PNG and keep, per stamp,
 * the time of the first drawn frame that shows it. Neither this nor the page's rVFC figure includes
 * the display's own scan-out. docs/latency.md says what each reading measures.
 */
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { STAMP_BITS, STAMP_BLOCK } from '../app/webrtc/time-stamp.js';

/** The screencast's largest side, px: small enough to cost little, large enough for 16 px blocks shown at ≥ 4 px. */
export const SCREENCAST_MAX_SIZE = 320;

/** Where the page shows frame pixel (0, 0) of the element with id `video` (object-fit: contain), CSS px, and CSS px per frame px. */
export interface ContentRect {
  x: number;
  y: number;
  scale: number;
}

/** In the page, as a string (tsx's helpers would not exist there): the content rect of #video, a <video> or a <canvas>. */
const CONTENT_RECT = `(() => {
  const el = document.getElementById('video');
  const width = el.videoWidth ?? el.width, height = el.videoHeight ?? el.height;
  const box = el.getBoundingClientRect();
  const scale = Math.min(box.width / width, box.height / height);
  return { x: box.left + (box.width - width * scale) / 2, y: box.top + (box.height - height * scale) / 2, scale };
})()`;

/** The stamp in a screencast PNG whose page is `pageWidth` CSS px wide: each block read at its centre. */
export const readScreencastStamp = (png: PNG, rect: ContentRect, pageWidth: number): number => {
  const shot = png.width / pageWidth;
  const y = Math.round((rect.y + (STAMP_BLOCK / 2) * rect.scale) * shot);
  let value = 0;
  for (let bit = 0; bit < STAMP_BITS; bit++) {
    const x = Math.round((rect.x + (bit * STAMP_BLOCK + STAMP_BLOCK / 2) * rect.scale) * shot);
    const i = (y * png.width + x) * 4;
    value = value * 2 + (png.data[i]! + png.data[i + 1]! + png.data[i + 2]! > 384 ? 1 : 0);
  }
  return value;
};

interface ScreencastFrame {
  data: string;
  sessionId: number;
  metadata: { deviceWidth: number; timestamp?: number };
}

/**
 * Starts a small PNG screencast of `page` (its #video must have its size already). `stop()` ends it
 * and gives, per stamp, the wall time (ms) of the first drawn frame showing it; stamps already on
 * screen when the screencast began are left out (their first draw was earlier), and `frames` counts
 * the frames received (each acknowledged at once, so the compositor goes on sending).
 */
export const startScreencastStamps = async (page: Page) => {
  const rect = (await page.evaluate(CONTENT_RECT)) as ContentRect;
  const cdp = await page.context().newCDPSession(page);
  const firstSeen = new Map<number, number>();
  const before = new Set<number>();
  let frames = 0;
  cdp.on('Page.screencastFrame', (event: ScreencastFrame) => {
    cdp.send('Page.screencastFrameAck', { sessionId: event.sessionId }).catch(() => undefined);
    const stamp = readScreencastStamp(PNG.sync.read(Buffer.from(event.data, 'base64')), rect, event.metadata.deviceWidth);
    if (frames++ === 0) before.add(stamp);
    if (!before.has(stamp) && !firstSeen.has(stamp) && event.metadata.timestamp !== undefined) firstSeen.set(stamp, event.metadata.timestamp * 1000);
  });
  await cdp.send('Page.startScreencast', { format: 'png', maxWidth: SCREENCAST_MAX_SIZE, maxHeight: SCREENCAST_MAX_SIZE, everyNthFrame: 1 });
  return {
    stop: async () => {
      await cdp.send('Page.stopScreencast');
      await cdp.detach();
      return { firstSeen, frames };
    },
  };
};

/** Drawn − stamp per stamp, ms (the stamp keeps the low 24 bits of the send time: subtracted modulo 2^24); misread stamps (outside 0–2 s) left out. */
export const drawnLatencies = (firstSeen: Map<number, number>): number[] => {
  const latencies: number[] = [];
  for (const [stamp, drawn] of firstSeen) {
    const latency = (((Math.floor(drawn) & 0xffffff) - stamp + 0x1000000) % 0x1000000) + (drawn - Math.floor(drawn));
    if (latency >= 0 && latency < 2000) latencies.push(latency);
  }
  return latencies;
};
