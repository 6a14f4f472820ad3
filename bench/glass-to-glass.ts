/**
 * Glass-to-glass latency over WebRTC, measured in Debian's Chromium: the sender stamps the wall
 * time at which a frame left the engine (or, for the bare sender, was made) into its I420 pixels
 * just before encoding; the page reads the stamp from each decoded frame and subtracts it from the
 * frame's expected display time. Three senders in one run:
 * the engine (the app server, its frames stamped in the video feed, the persona dancing); a bare
 * @roamhq/wrtc track replaying the engine's own frames, recorded during its run, at 30 fps with the
 * engine's field trials (the like-for-like baseline the ratio uses: same content, handed to the
 * same video feed code, so the same conversion, stamp and encoder work); the same bare track on libwebrtc's defaults (adaptive playout delay); and the bare track
 * fed a full-frame moving gradient (harder to encode; the baseline of earlier runs, for reference).
 * Beside the page's expected display time (rVFC), a second reading: when Chromium's display
 * compositor drew the frame, from a small CDP screencast (bench/screencast.ts). The rVFC figure
 * is not comparable across Chromium's render paths and goes stale under load; docs/latency.md.
 * The viewer page paces the engine's ticks to its display (display-pacer.ts), as every /viewer
 * does; the like-for-like bare sender ticks on the same loop and is paced the same way. The engine
 * is measured once more with ?pace=0 (unpaced), to show what the pacing gains.
 */
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { distribution, type Distribution } from '../engine/profiler.js';
import { startServer } from '../app/server.js';
import { DisplayPacer } from '../app/webrtc/display-pacer.js';
import { VideoFeed } from '../app/webrtc/video-feed.js';
import { WhepEndpoint } from '../app/webrtc/whep.js';
import { RealClock } from '../engine/clock.js';
import { startLoop } from '../engine/loop.js';
import { Schedule } from '../engine/schedule.js';
import { createEngineWorld } from '../engine/world.js';
import type { PublishedFrame } from '../systems/resources.js';
import { drawStampI420, wallClockMs } from '../app/webrtc/time-stamp.js';
import { fieldTrials, useFieldTrials, wrtc } from '../app/webrtc/wrtc.js';
import { launchChromium } from './chromium.js';
import { drawnLatencies, startScreencastStamps } from './screencast.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Samples {
  g2g: number[];
  g2gToReceive: number[];
  g2gToDisplay: number[];
  /** Per stamp: the first frame the display compositor drew showing it − the stamp (screencast). */
  drawn: number[];
  /** Per rVFC sample: expected display − presentation time (< 0: a stale expected display time). */
  presentToDisplay: number[];
  /** Per launch: [rVFC p50, drawn p50] (ms): the spread between launches is the viewer's phase. */
  launches: [number | null, number | null][];
}

/**
 * Browser launches per measurement. Our 30 fps frames meet headless Chromium's 60 Hz compositor
 * at a phase that is fixed within a launch and random between launches, and the compositor
 * settles on showing a frame one or two display frames later: last packet → expected display was
 * 4–32 ms by launch here. Pooling a few launches measures the mix a viewer gets, not one draw.
 */
const LAUNCHES = 4;

/** Opens /viewer?g2g=1 at `base` (paced to its display, or not) in LAUNCHES fresh browsers and collects latency samples for `seconds` in all. */
const collect = async (base: string, seconds: number, pace = true): Promise<Samples> => {
  const pooled: Samples = { g2g: [], g2gToReceive: [], g2gToDisplay: [], drawn: [], presentToDisplay: [], launches: [] };
  for (let i = 0; i < LAUNCHES; i++) {
    const samples = await collectOnce(base, seconds / LAUNCHES, pace);
    pooled.g2g.push(...samples.g2g);
    pooled.g2gToReceive.push(...samples.g2gToReceive);
    pooled.g2gToDisplay.push(...samples.g2gToDisplay);
    pooled.drawn.push(...samples.drawn);
    pooled.presentToDisplay.push(...samples.presentToDisplay);
    pooled.launches.push([median(samples.g2g), median(samples.drawn)]);
  }
  return pooled;
};

const collectOnce = async (base: string, seconds: number, pace: boolean): Promise<Samples> => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${base}/viewer?g2g=1&pace=${pace ? 1 : 0}`);
    await page.waitForFunction(() => (window as unknown as { g2g?: number[] }).g2g !== undefined && (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, null, { timeout: 20_000 });
    // The page's first display report (about a second of frames) and the server's answer.
    if (pace) await page.waitForFunction('(window.pacing ?? []).length > 0', null, { timeout: 10_000 }).catch(() => undefined);
    await sleep(1500); // let the jitter buffer settle, and a pacing shift reach the frames
    // Strings, not functions: tsx's helpers would not exist in the page.
    await page.evaluate('window.g2g.length = window.g2gToReceive.length = window.g2gToDisplay.length = window.g2gPresentToDisplay.length = 0');
    const screencast = await startScreencastStamps(page);
    await sleep(seconds * 1000);
    const { firstSeen } = await screencast.stop();
    const samples = (await page.evaluate(
      '({ g2g: window.g2g, g2gToReceive: window.g2gToReceive, g2gToDisplay: window.g2gToDisplay, presentToDisplay: window.g2gPresentToDisplay })',
    )) as Omit<Samples, 'drawn' | 'launches'>;
    // Leave as a viewer does (the page DELETEs its WHEP resource on pagehide), so that the next
    // launch is not measured beside a connection still being encoded for until ICE gives up.
    await page.close();
    await sleep(300);
    return { ...samples, drawn: drawnLatencies(firstSeen), launches: [] };
  } finally {
    await browser.close();
  }
};

/** Most engine frames kept for the replay (512² RGBA: 1 MiB each): two seconds of her dance. */
const MAX_RECORDED = 60;
/** The server's default background, which the engine's video feed composes her over. */
const BACKGROUND = [38, 42, 53] as const;

/** The frames a bare sender sends: the engine's own (RGBA, as published), or a moving gradient. */
type BareContent = { recorded: Uint8Array[] } | 'gradient';

/**
 * A bare sender, ticking on the engine's own fixed-step loop with no systems but this one, paced
 * to the viewer's display when `paced`. The engine's recorded frames go through the very path the
 * engine's go (a VideoFeed: held, composed over the background and converted to I420 on a native
 * worker, stamped with the time they were handed over): like for like, only the engine's own work
 * is missing. The gradient is made, converted and stamped in place, as in earlier runs.
 */
const startBareSender = async (content: BareContent, paced: boolean) => {
  const world = createEngineWorld({ clock: new RealClock(), hz: 30, resources: {} });
  const size = 512;
  let n = 0;
  let send: () => void;
  let feed: { track: MediaStreamTrack; users: number };
  if (content === 'gradient') {
    const source = new wrtc.nonstandard.RTCVideoSource();
    feed = { track: source.createTrack(), users: 0 };
    const rgba = new Uint8Array(size * size * 4);
    const i420 = new Uint8Array((size * size * 3) / 2);
    send = () => {
      for (let i = 0; i < rgba.length; i += 4) {
        rgba[i] = (i / 4 + n * 3) % 256; // moving gradient: the encoder has work to do
        rgba[i + 1] = 90;
        rgba[i + 2] = 140;
        rgba[i + 3] = 255;
      }
      (wrtc.nonstandard as unknown as { rgbaToI420: (a: object, b: object) => void }).rgbaToI420(
        { width: size, height: size, data: rgba },
        { width: size, height: size, data: i420 },
      );
      drawStampI420(i420, size, size, wallClockMs());
      source.onFrame({ width: size, height: size, data: i420 });
    };
  } else {
    let listener: ((frame: PublishedFrame) => void) | null = null;
    const video = new VideoFeed({ width: size, height: size, onFrame: (l) => ((listener = l), () => (listener = null)) }, BACKGROUND);
    video.beforeEncode = (i420, width, height, publishedAtMs) => drawStampI420(i420, width, height, publishedAtMs);
    feed = video;
    const conditioning = new Float32Array(0);
    send = () =>
      // A recorded buffer is never refilled: holding it needs no release.
      listener?.({ eid: 0, seq: n, width: size, height: size, rgba: content.recorded[n % content.recorded.length]!, conditioning, submittedAt: 0, hold: () => () => {} });
  }
  const loop = startLoop(
    world,
    new Schedule().add('output', 'send', () => {
      send();
      n++;
    }),
  );
  const whep = new WhepEndpoint(feed, 'default', 4, null, undefined, paced ? new DisplayPacer(() => loop) : null);
  const pages: Record<string, [string, string]> = {
    '/viewer': ['renderer/viewer.html', 'text/html'],
    '/viewer.js': ['renderer/dist/viewer.js', 'text/javascript'],
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (await whep.handle(req, res, url.pathname)) return;
    const page = pages[url.pathname];
    if (!page) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': page[1] }).end(await readFile(path.join(root, page[0])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      loop.stop();
      whep.closeAll();
      feed.track.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/** Peer connections made inside `run` get `trials`; the earlier trials are back afterwards. */
const withFieldTrials = async <T>(trials: string, run: () => Promise<T>): Promise<T> => {
  const before = fieldTrials();
  useFieldTrials(trials);
  try {
    return await run();
  } finally {
    useFieldTrials(before);
  }
};

const measureBare = async (seconds: number, content: BareContent, paced = false): Promise<Samples> => {
  const bare = await startBareSender(content, paced);
  try {
    return await collect(bare.url, seconds);
  } finally {
    await bare.close();
  }
};

export interface GlassToGlass {
  engine: Distribution | null;
  /** The engine again, its viewer not pacing it (?pace=0): what display pacing gains. */
  engineUnpaced: Distribution | null;
  engineUnpacedDrawn: Distribution | null;
  /** The engine's frames as drawn by Chromium's display compositor (screencast; an upper bound). */
  engineDrawn: Distribution | null;
  /** Share of the engine's rVFC samples whose expected display time precedes their presentation time. */
  staleShare: number | null;
  /** The engine's latency split at the browser's last received packet (medians, ms). */
  engineSplit: { stamp_to_received_ms: number; received_to_display_ms: number } | null;
  /** The bare sender replaying the engine's own frames (like for like: same loop, paced the same way). */
  baseline: Distribution | null;
  baselineDrawn: Distribution | null;
  baselineStaleShare: number | null;
  /** engine p50 / like-for-like baseline p50. */
  ratio: number | null;
  /** engineDrawn p50 / baselineDrawn p50. */
  drawnRatio: number | null;
  /** The bare sender on a full-frame moving gradient (harder to encode than the persona), and the engine's ratio to it. */
  baselineGradient: Distribution | null;
  ratioGradient: number | null;
  /** The bare sender on libwebrtc's default field trials (adaptive jitter buffer). */
  baselineDefaults: Distribution | null;
  baselineDefaultsDrawn: Distribution | null;
  fieldTrials: string;
  /** p50 per browser launch, [rVFC, drawn] (ms), for the engine paced, unpaced, and the like-for-like baseline. */
  launches: { engine: [number | null, number | null][]; unpaced: [number | null, number | null][]; baseline: [number | null, number | null][] };
}

const median = (values: number[]): number | null => distribution(values)?.p50 ?? null;
const ratioOf = (a: Distribution | null, b: Distribution | null) => (a && b ? Math.round((a.p50 / b.p50) * 1000) / 1000 : null);
const staleShare = (presentToDisplay: number[]) =>
  presentToDisplay.length > 0 ? Math.round((presentToDisplay.filter((d) => d < 0).length / presentToDisplay.length) * 1000) / 1000 : null;

export const measureGlassToGlass = async (seconds: number): Promise<GlassToGlass> => {
  const engine = await startServer({ port: 0 });
  const recorded: Uint8Array[] = [];
  engine.session.onFrame((frame) => {
    // While watched: she is dancing by then.
    if (engine.video.users > 0 && recorded.length < MAX_RECORDED && frame.width === 512 && frame.height === 512) recorded.push(frame.rgba.slice());
  });
  engine.video.beforeEncode = (i420, width, height, publishedAtMs) => drawStampI420(i420, width, height, publishedAtMs);
  // She dances while measured: the frames (and the replay of them) carry motion for the encoder.
  const dance = setInterval(() => engine.session.chat('dance'), 9000);
  engine.session.chat('dance');
  let engineSamples: Samples;
  let unpacedSamples: Samples;
  try {
    // Unpaced first: once paced, the loop keeps the phase a viewer found.
    unpacedSamples = await collect(engine.url, seconds, false);
    engineSamples = await collect(engine.url, seconds);
  } finally {
    clearInterval(dance);
    await engine.close();
  }
  const content: BareContent = recorded.length > 0 ? { recorded } : 'gradient';
  const bareSamples = await measureBare(seconds, content, true);
  const defaultSamples = await withFieldTrials('', () => measureBare(seconds, content));
  const gradientSamples = await measureBare(seconds, 'gradient');
  const e = distribution(engineSamples.g2g);
  const b = distribution(bareSamples.g2g);
  const g = distribution(gradientSamples.g2g);
  const toReceive = median(engineSamples.g2gToReceive);
  const toDisplay = median(engineSamples.g2gToDisplay);
  const eDrawn = distribution(engineSamples.drawn);
  const bDrawn = distribution(bareSamples.drawn);
  return {
    engine: e,
    engineUnpaced: distribution(unpacedSamples.g2g),
    engineUnpacedDrawn: distribution(unpacedSamples.drawn),
    engineDrawn: eDrawn,
    staleShare: staleShare(engineSamples.presentToDisplay),
    engineSplit: toReceive !== null && toDisplay !== null ? { stamp_to_received_ms: toReceive, received_to_display_ms: toDisplay } : null,
    baseline: b,
    baselineDrawn: bDrawn,
    baselineStaleShare: staleShare(bareSamples.presentToDisplay),
    ratio: ratioOf(e, b),
    drawnRatio: ratioOf(eDrawn, bDrawn),
    baselineGradient: g,
    ratioGradient: ratioOf(e, g),
    baselineDefaults: distribution(defaultSamples.g2g),
    baselineDefaultsDrawn: distribution(defaultSamples.drawn),
    fieldTrials: fieldTrials(),
    launches: { engine: engineSamples.launches, unpaced: unpacedSamples.launches, baseline: bareSamples.launches },
  };
};
