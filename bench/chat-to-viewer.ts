/**
 * What a streamer's audience feels: a chat line sent from the page → the first frame showing the
 * action at a Chromium WHEP viewer (decoded, at its expected display time). One browser, two
 * pages: the app's UI sends "wave"; /viewer?g2g=1 pulls the video and records each decoded frame's
 * send-time stamp and display time. The server notes the wall time at which it published the first
 * frame whose arm moved; the first viewer frame stamped at or after it is the one that shows it.
 */
import { distribution, type Distribution } from '../engine/profiler.js';
import { startServer } from '../app/server.js';
import { drawStampI420, wallClockMs } from '../app/webrtc/time-stamp.js';
import { armMovedAfter } from './arm-moved.js';
import { launchChromium } from './chromium.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const STAMP_MASK = 0xffffff;

export const measureChatToViewer = async (samples: number): Promise<Distribution | null> => {
  const server = await startServer({ port: 0 });
  server.video.beforeEncode = (i420, width, height, publishedAtMs) => drawStampI420(i420, width, height, publishedAtMs);
  const browser = await launchChromium();
  try {
    // The UI first, the viewer last: the page opened last is the one in front, and a tab behind
    // has its video frame callbacks throttled (the audience watches in front; the sender only types).
    const ui = await browser.newPage();
    await ui.goto(server.url);
    await ui.waitForSelector('#chat-input');
    const viewer = await browser.newPage();
    await viewer.goto(`${server.url}/viewer?g2g=1`);
    await viewer.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, null, { timeout: 20_000 });
    await viewer.bringToFront();
    await sleep(1500);
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      await sleep(300 + Math.random() * 40);
      const finished = new Promise<void>((resolve) => {
        const off = server.session.onEvent((e) => {
          if (e.type === 'action.finished' && e.action === 'wave') {
            off();
            resolve();
          }
        });
      });
      const moved = armMovedAfter(server.session).then(() => wallClockMs());
      // Sent from the page as a user's Enter would: the time is read in the same breath.
      const sentAt = (await ui.evaluate(`(() => {
        document.getElementById('chat-input').value = 'wave';
        const t = performance.timeOrigin + performance.now();
        document.getElementById('chat-form').requestSubmit();
        return t;
      })()`)) as number;
      const movedAt = await moved;
      await finished;
      await sleep(200);
      const frames = (await viewer.evaluate('window.g2gFrames.splice(0)')) as [number, number][];
      // Stamps keep the low 24 bits of the wall-clock ms: compare modulo 2^24 around the move.
      // The feed stamps the same publish a few µs before this sink ran: allow 2 ms (frames are 33 ms apart).
      const target = (Math.floor(movedAt) - 2) & STAMP_MASK;
      const shown = frames.find(([stamp]) => ((stamp - target + 0x1000000) % 0x1000000) < 0x800000);
      if (shown) latencies.push(shown[1] - sentAt);
    }
    return distribution(latencies);
  } finally {
    await browser.close();
    await server.close();
  }
};
