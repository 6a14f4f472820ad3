/**
 * Audio against video at a Chromium WHEP viewer (`av_skew_ms`, audio time − video time: positive
 * is audio late). As a frame is published, the bench schedules a click (a 10 ms, 1 kHz burst at
 * 90 % of full scale, pushed at 22,050 Hz like the voice, with `startsInMs` as app/speaker.ts
 * schedules speech, so the feed sends it its AUDIO_LEAD_MS early) for the moment the engine will
 * publish the frame four frames later, and gives that frame a white block, painted into its I420
 * on the way to the encoder (as the glass-to-glass stamp is): sound and marker belong to the same
 * engine moment. The viewer page (/viewer?avskew=1) records when each block's first frame is
 * expected on screen (requestVideoFrameCallback) and when each click's onset is played out (an
 * AnalyserNode on the received stream, placed on the audio output clock with
 * getOutputTimestamp(); the <video> element plays the same track through its own output, which
 * this does not see).
 *
 * Besides the skew it reports the sender's share (the marked frame's publish time − the click's
 * time: the engine tick's jitter, or +33 ms when the feed skipped that frame) and the transport's
 * (what is left: the audio lead, encoders, network, the two jitter buffers, the compositor and
 * audio output). A mouth drawn on a 30 fps grid adds up to ±17 ms to what a viewer sees unless
 * the voice rounds its onsets to the nearest frame.
 * Target (ATSC IS-191): audio at most 15 ms early and 45 ms late, i.e. −15 ≤ av_skew_ms ≤ +45.
 */
import { distribution, type Distribution } from '../engine/profiler.js';
import { startServer } from '../app/server.js';
import { wallClockMs } from '../app/webrtc/time-stamp.js';
import { launchChromium } from './chromium.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Where the marker goes (renderer/viewer.ts reads the same block): x from the right edge, px. */
const MARKER = { x: -64, y: 16, size: 48 };
/** Frames published this long after the click's start still carry the marker (a run, so a skipped frame cannot lose it). */
const MARKER_MS = 120;
/**
 * Each click is scheduled for the publish time of the frame this many frames after the one being
 * published (133 ms ahead at 30 fps, about as far as app/speaker.ts schedules speech).
 */
const FRAMES_AHEAD = 4;

const burst = (rate = 22_050) =>
  Int16Array.from({ length: Math.round(rate * 0.01) }, (_, i) => Math.round(0.9 * 32767 * Math.sin((2 * Math.PI * 1000 * i) / rate)));

/** Paints the marker white (BT.601 limited range: Y 235, chroma neutral). */
const paintMarker = (i420: Uint8Array, width: number, height: number) => {
  const x0 = width + MARKER.x;
  const chroma = width * height;
  for (let y = MARKER.y; y < MARKER.y + MARKER.size; y++) i420.fill(235, y * width + x0, y * width + x0 + MARKER.size);
  for (let y = MARKER.y / 2; y < (MARKER.y + MARKER.size) / 2; y++) {
    const row = y * (width / 2) + x0 / 2;
    i420.fill(128, chroma + row, chroma + row + MARKER.size / 2);
    i420.fill(128, chroma + chroma / 4 + row, chroma + chroma / 4 + row + MARKER.size / 2);
  }
};

export interface AvSkew {
  /** Audio played out − marker frame displayed, per click, ms (positive: audio late). */
  skew: Distribution | null;
  min: number | null;
  max: number | null;
  /** The same without the sender's frame timing: (audio out − click's time) − (frame shown − frame published), ms. */
  transport: Distribution | null;
  /** Marked frame's publish time − the click's time, ms (the engine tick's jitter; +33 when that frame was skipped). */
  senderOffset: Distribution | null;
  /** Medians, ms: the click's time → played out (the feed sends it AUDIO_LEAD_MS early), frame published → expected on screen. */
  audioPathMs: number | null;
  videoPathMs: number | null;
  /** The viewer's own account (getStats, means over the run, ms): NetEq's jitter buffer, audio playout, video jitter buffer. */
  receiver: { audioJitterBufferMs: number; audioPlayoutDelayMs: number | null; videoJitterBufferMs: number }[];
  clicks: number;
  matched: number;
}

/** Browser launches: the compositor's phase against our 30 fps frames is fixed within a launch and random between them (see glass-to-glass.ts). */
const LAUNCHES = 2;

interface Click {
  /** When the sound is to be heard with the frames published then (wall ms). */
  at: number;
  framePublishedAt: number | null;
}

/** One browser: clicks `count` times, returns when each click was heard and each marker shown (wall ms), and the receiver's stats. */
const listen = async (url: string, count: number, schedule: () => Promise<Click>) => {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`${url}/viewer?avskew=1`);
    await page.waitForFunction(
      () => {
        const video = document.getElementById('video') as HTMLVideoElement;
        return video.videoWidth > 0 && video.srcObject instanceof MediaStream && video.srcObject.getAudioTracks().length > 0;
      },
      null,
      { timeout: 20_000 },
    );
    await page.click('#sound'); // the gesture Web Audio needs; it starts the page's listener
    await sleep(3000); // jitter buffers settle and Chrome's A/V sync converges
    // Strings, not functions: tsx's helpers would not exist in the page.
    await page.evaluate('window.avAudio.length = window.avVideo.length = 0');
    const clicks: Click[] = [];
    for (let i = 0; i < count; i++) {
      clicks.push(await schedule());
      await sleep(600 + Math.random() * 100);
    }
    await sleep(500);
    const heard = (await page.evaluate(`(async () => {
      let receiver = { audioJitterBufferMs: 0, audioPlayoutDelayMs: null, videoJitterBufferMs: 0 };
      (await window.viewerPc.getStats()).forEach((s) => {
        const mean = (total, count) => Math.round((total / count) * 1000 * 10) / 10;
        if (s.type === 'inbound-rtp' && s.kind === 'audio') receiver.audioJitterBufferMs = mean(s.jitterBufferDelay, s.jitterBufferEmittedCount);
        if (s.type === 'inbound-rtp' && s.kind === 'video') receiver.videoJitterBufferMs = mean(s.jitterBufferDelay, s.jitterBufferEmittedCount);
        if (s.type === 'media-playout') receiver.audioPlayoutDelayMs = mean(s.totalPlayoutDelay, s.totalSamplesCount);
      });
      return { avAudio: window.avAudio, avVideo: window.avVideo, receiver };
    })()`)) as { avAudio: number[]; avVideo: number[]; receiver: AvSkew['receiver'][number] };
    await page.close(); // leaves (DELETE) before the next launch
    return { clicks, ...heard };
  } finally {
    await browser.close();
  }
};

export const measureAvSkew = async (samples: number): Promise<AvSkew> => {
  const server = await startServer({ port: 0 });
  const audio = server.sessions.values().next().value!.audio;
  const frameMs = 1000 / server.session.fps;
  let current: Click | null = null;
  /** Set when a click is wanted: the next published frame schedules it. */
  let armed: ((click: Click) => void) | null = null;
  const offFrame = server.session.onFrame(() => {
    if (!armed) return;
    const startsInMs = FRAMES_AHEAD * frameMs;
    const click: Click = { at: wallClockMs() + startsInMs, framePublishedAt: null };
    // As the voice schedules speech: to be heard then (the feed sends it its lead earlier).
    audio.push(burst(), 22_050, { startsInMs });
    current = click;
    armed(click);
    armed = null;
  });
  server.video.beforeEncode = (i420, width, height, publishedAtMs) => {
    // The frame published at the click's time, and the run after it (a skipped frame cannot lose the marker).
    if (!current || publishedAtMs < current.at - frameMs / 2 || publishedAtMs > current.at + MARKER_MS) return;
    current.framePublishedAt ??= publishedAtMs;
    paintMarker(i420, width, height);
  };
  const skew: number[] = [];
  const transport: number[] = [];
  const senderOffset: number[] = [];
  const audioPath: number[] = [];
  const videoPath: number[] = [];
  const receiver: AvSkew['receiver'] = [];
  let clicks = 0;
  try {
    for (let launch = 0; launch < LAUNCHES; launch++) {
      const run = await listen(server.url, Math.ceil(samples / LAUNCHES), () => new Promise<Click>((resolve) => (armed = resolve)));
      receiver.push(run.receiver);
      clicks += run.clicks.length;
      for (const { at, framePublishedAt } of run.clicks) {
        // Clicks are 600+ ms apart: whatever is seen within 400 ms of one is that one.
        const heard = run.avAudio.find((t) => t >= at - 100 && t < at + 400);
        const shown = run.avVideo.find((t) => t >= at - frameMs && t < at + 400);
        if (heard === undefined || shown === undefined || framePublishedAt === null) continue;
        skew.push(heard - shown);
        senderOffset.push(framePublishedAt - at);
        audioPath.push(heard - at);
        videoPath.push(shown - framePublishedAt);
        transport.push(heard - at - (shown - framePublishedAt));
      }
    }
  } finally {
    offFrame();
    server.video.beforeEncode = null;
    await server.close();
  }
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    skew: distribution(skew),
    min: skew.length ? round(Math.min(...skew)) : null,
    max: skew.length ? round(Math.max(...skew)) : null,
    transport: distribution(transport),
    senderOffset: distribution(senderOffset),
    audioPathMs: distribution(audioPath)?.p50 ?? null,
    videoPathMs: distribution(videoPath)?.p50 ?? null,
    receiver,
    clicks,
    matched: skew.length,
  };
};
