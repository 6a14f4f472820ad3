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

  it('the viewer reports its display: its refresh interval is measured, the server paces its ticks to it, and the readout says so', async () => {
    await page.waitForFunction(() => ((window as unknown as { pacing?: unknown[] }).pacing ?? []).length >= 2, null, { timeout: 10_000 });
    const answers = await page.evaluate(() => (window as unknown as { pacing: { paced: boolean; shiftMs: number; note?: string }[] }).pacing);
    expect(answers.every((a) => a.paced)).toBe(true); // the only viewer paces the stream
    expect(answers.every((a) => Math.abs(a.shiftMs) <= 1000 / 60)).toBe(true); // never more than a refresh
    // The loop moved by what the answers said (nothing, when the phase was already right).
    const moved = answers.reduce((sum, a) => sum + a.shiftMs, 0);
    expect(server.session.phase!.phaseShift).toBeCloseTo(moved, 1);
    await page.waitForFunction(() => /paced to this display \(\d+ Hz\)/.test(document.getElementById('readout')!.textContent ?? ''), null, { timeout: 5000 });
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

  it('plays the voice: an Opus track in the same stream; a 440 Hz tone pushed at 22,050 Hz is heard at 440 Hz, and silence after clear()', async () => {
    const audio = server.sessions.get('default')!.audio;
    // Muted until a click (autoplay), with a visible button; the click is the user gesture Web Audio needs too.
    expect(await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).muted)).toBe(true);
    await page.click('#sound');
    expect(await page.evaluate(() => (document.getElementById('video') as HTMLVideoElement).muted)).toBe(false);
    expect(await page.textContent('#sound')).toMatch(/sound off/);
    const received = await page.evaluate(async () => {
      const video = document.getElementById('video') as HTMLVideoElement;
      const stream = video.srcObject as MediaStream;
      const context = new AudioContext();
      await context.resume();
      const analyser = context.createAnalyser();
      analyser.fftSize = 8192;
      context.createMediaStreamSource(stream).connect(analyser);
      Object.assign(window, { testAnalyser: analyser });
      let codec = '';
      (await (window as unknown as { viewerPc: RTCPeerConnection }).viewerPc.getStats()).forEach((s) => {
        if (s.type === 'codec' && /^audio\//.test(s.mimeType)) codec = s.mimeType;
      });
      return { audioTracks: stream.getAudioTracks().length, videoTracks: stream.getVideoTracks().length, state: context.state, rate: context.sampleRate, codec };
    });
    expect(received).toMatchObject({ audioTracks: 1, videoTracks: 1, state: 'running', codec: 'audio/opus' });

    /** The loudest frequency between 100 Hz and 4 kHz, how far it stands above the band's median (dB), and the RMS, from the page's analyser. */
    const listen = () =>
      page.evaluate(() => {
        const analyser = (window as unknown as { testAnalyser: AnalyserNode }).testAnalyser;
        const spectrum = new Float32Array(analyser.frequencyBinCount);
        analyser.getFloatFrequencyData(spectrum);
        const hzPerBin = analyser.context.sampleRate / analyser.fftSize;
        let peak = Math.round(100 / hzPerBin);
        for (let i = peak; i < 4000 / hzPerBin; i++) if (spectrum[i]! > spectrum[peak]!) peak = i;
        const wave = new Float32Array(analyser.fftSize);
        analyser.getFloatTimeDomainData(wave);
        const rms = Math.sqrt(wave.reduce((sum, v) => sum + v * v, 0) / wave.length);
        const band = [...spectrum.subarray(Math.round(100 / hzPerBin), Math.round(4000 / hzPerBin))].sort((a, b) => a - b);
        return { hz: peak * hzPerBin, aboveMedianDb: spectrum[peak]! - band[band.length >> 1]!, rms };
      });
    const quiet = await listen();
    expect(quiet.rms, 'silence before the tone').toBeLessThan(0.001);

    const rate = 22_050;
    const tone = Int16Array.from({ length: rate * 3 }, (_, i) => Math.round(0.5 * 32767 * Math.sin((2 * Math.PI * 440 * i) / rate)));
    audio.push(tone, rate);
    let heard = quiet;
    const deadline = Date.now() + 2500;
    while (Date.now() < deadline && heard.rms < 0.05) {
      await page.waitForTimeout(50);
      heard = await listen();
    }
    await page.waitForTimeout(300); // the tone fills the analyser's window
    heard = await listen();
    expect(Math.abs(heard.hz - 440), `loudest at ${heard.hz.toFixed(1)} Hz`).toBeLessThan(15);
    expect(heard.rms, 'a 0.5 amplitude sine has an RMS of 0.35').toBeGreaterThan(0.25);
    expect(heard.rms).toBeLessThan(0.45);
    expect(heard.aboveMedianDb, 'the tone stands out of the band').toBeGreaterThan(40);

    audio.clear();
    expect(audio.queuedMs).toBe(0);
    await page.waitForTimeout(500); // through the jitter buffer and the analyser's window (170 ms)
    const after = await listen();
    expect(after.rms, 'silence after clear()').toBeLessThan(0.001);
  });

  it('/obs plays with sound at once; where the browser refuses sound without a click, it plays muted and shows the button', async () => {
    const look = async (refuse: boolean) => {
      const obs = await browser.newPage();
      try {
        // A browser with a strict autoplay policy: play() with sound and no click is refused.
        if (refuse)
          await obs.addInitScript(() => {
            const play = HTMLMediaElement.prototype.play;
            HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
              return this.muted ? play.call(this) : Promise.reject(new DOMException('no gesture', 'NotAllowedError'));
            };
          });
        await obs.goto(`${server.url}/obs`);
        await obs.waitForFunction(() => (document.getElementById('video') as HTMLVideoElement).videoWidth > 0, null, { timeout: 20_000 });
        await obs.waitForTimeout(200);
        return await obs.evaluate(() => {
          const video = document.getElementById('video') as HTMLVideoElement;
          const button = document.getElementById('sound') as HTMLButtonElement;
          return { muted: video.muted, playing: !video.paused, button: button.hidden ? null : button.textContent };
        });
      } finally {
        await obs.close();
      }
    };
    expect(await look(false)).toEqual({ muted: false, playing: true, button: null });
    expect(await look(true)).toEqual({ muted: true, playing: true, button: '🔈 sound on' });
  });
});
