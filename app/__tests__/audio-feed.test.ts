/**
 * The voice's audio feed on its own: 10 ms frames of 480 samples at 48 kHz paced against the
 * monotonic clock, handed to a real wrtc RTCAudioSource (which refuses a buffer of the wrong size);
 * 22,050 Hz speech resampled to the right pitch and band-limited; clear() silent within a frame;
 * playedMs/queuedMs; nothing made while nobody watches.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AUDIO_LEAD_MS, AudioFeed, FRAME_SAMPLES, OUTPUT_RATE } from '../webrtc/audio-feed.js';
import { wrtc, type RTCAudioData, type RTCAudioSource } from '../webrtc/wrtc.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A real RTCAudioSource that also records each frame and when it was handed over. */
const recordingSource = () => {
  const real = new wrtc.nonstandard.RTCAudioSource();
  const frames: { at: number; data: RTCAudioData }[] = [];
  const source: RTCAudioSource = {
    createTrack: () => real.createTrack(),
    onData: (data) => {
      frames.push({ at: performance.now(), data });
      real.onData(data); // throws if the buffer is not exactly 10 ms
    },
  };
  return { source, frames };
};

/** A clock the test moves by hand. */
const manualClock = () => {
  let t = 1000;
  return { now: () => t, step: (ms: number) => (t += ms) };
};

/** Lets `ms` pass in 10 ms steps, as the feed's timer would see it (one jump past 60 ms would be a stall). */
const play = (feed: AudioFeed, clock: ReturnType<typeof manualClock>, ms: number) => {
  for (let t = 0; t < ms; t += 10) {
    clock.step(10);
    void feed.playedMs; // reading it sends what is due
  }
};

const sine = (hz: number, rate: number, seconds: number, amplitude = 0.5) =>
  Int16Array.from({ length: Math.round(rate * seconds) }, (_, i) => Math.round(amplitude * 32767 * Math.sin((2 * Math.PI * hz * i) / rate)));

const concat = (frames: { data: RTCAudioData }[]) => {
  const out = new Float64Array(frames.length * FRAME_SAMPLES);
  frames.forEach((f, i) => f.data.samples.forEach((v, j) => (out[i * FRAME_SAMPLES + j] = v / 32768)));
  return out;
};

/** Relative power of `signal` at `hz` (Goertzel over a Hann window). */
const power = (signal: ArrayLike<number>, hz: number, rate: number) => {
  const w = (2 * Math.PI * hz) / rate;
  let s1 = 0;
  let s2 = 0;
  for (let i = 0; i < signal.length; i++) {
    const hann = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (signal.length - 1)); // no leakage from the tone into the image's bin
    const s = signal[i]! * hann + 2 * Math.cos(w) * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  return (s1 * s1 + s2 * s2 - 2 * Math.cos(w) * s1 * s2) / signal.length ** 2;
};

const feeds: AudioFeed[] = [];
const makeFeed = (...args: ConstructorParameters<typeof AudioFeed>) => {
  const feed = new AudioFeed(...args);
  feeds.push(feed);
  return feed;
};
afterEach(() => {
  feeds.splice(0).forEach((f) => f.stop());
});

describe('AudioFeed', () => {
  it('sends exactly 10 ms per call (480 fresh samples at 48 kHz), paced against the clock, silence when nothing is queued', async () => {
    const { source, frames } = recordingSource();
    const feed = makeFeed({ source });
    const start = performance.now();
    feed.users = 1;
    await sleep(1000);
    const elapsed = performance.now() - start;
    feed.users = 0;
    const count = frames.length;
    await sleep(50);
    expect(frames.length, 'no frames once nobody watches').toBe(count);
    // One frame per 10 ms since the start (the first goes at once), none early, none bunched up.
    expect(count).toBeGreaterThanOrEqual(Math.floor(elapsed / 10) - 2);
    expect(count).toBeLessThanOrEqual(Math.floor(elapsed / 10) + 1);
    frames.forEach(({ at, data }, i) => {
      expect(data.samples).toHaveLength(FRAME_SAMPLES);
      expect(data.samples.buffer.byteLength).toBe(FRAME_SAMPLES * 2);
      expect([data.sampleRate, data.channelCount, data.bitsPerSample, data.numberOfFrames]).toEqual([OUTPUT_RATE, 1, 16, FRAME_SAMPLES]);
      expect(at - (start + i * 10), `frame ${i} left before its deadline`).toBeGreaterThan(-0.5);
      if (i > 0) expect(data.samples).not.toBe(frames[i - 1]!.data.samples);
    });
    const lateness = frames.map(({ at }, i) => at - (start + i * 10)).sort((a, b) => a - b);
    expect(lateness[Math.floor(lateness.length / 2)], 'median lateness, ms').toBeLessThan(5);
    expect(frames.every(({ data }) => data.samples.every((v) => v === 0))).toBe(true);
    expect(feed.silentFrames).toBe(count);
  });

  it('resamples a 22,050 Hz sine to 48 kHz at the same pitch (zero crossings), gain and phase, with its images suppressed', () => {
    const clock = manualClock();
    const { source, frames } = recordingSource();
    const feed = makeFeed({ source, now: clock.now });
    feed.users = 1;
    frames.length = 0;
    const seconds = 1;
    expect(feed.push(sine(440, 22_050, seconds), 22_050)).toBe(0);
    expect(feed.queuedMs).toBeCloseTo(1000, 1);
    play(feed, clock, 1100);
    const first = frames.findIndex(({ data }) => data.samples.some((v) => v !== 0));
    const out = concat(frames.slice(first));
    const speech = out.subarray(0, OUTPUT_RATE * seconds);
    expect(feed.playedMs).toBeCloseTo(1000, 1);
    expect(out.subarray(OUTPUT_RATE * seconds + 40).every((v) => v === 0), 'silence after the speech').toBe(true);

    // Pitch: 440 Hz crosses zero 880 times a second.
    const middle = speech.subarray(4800, OUTPUT_RATE - 4800); // 0.8 s away from the edges
    let crossings = 0;
    for (let i = 1; i < middle.length; i++) if (middle[i - 1]! < 0 !== middle[i]! < 0) crossings++;
    expect(Math.abs(crossings / (middle.length / OUTPUT_RATE) - 880)).toBeLessThan(3);
    // Gain and phase: sample for sample the ideal 48 kHz sine (band-limited interpolation, no delay).
    let worst = 0;
    for (let i = 4800; i < OUTPUT_RATE - 4800; i++) worst = Math.max(worst, Math.abs(speech[i]! - 0.5 * Math.sin((2 * Math.PI * 440 * i) / OUTPUT_RATE)));
    expect(worst).toBeLessThan(0.002);

    // A 5 kHz tone's image at 22,050 − 5,000 Hz is what linear interpolation leaves audible (~−20 dB); here it is gone.
    const clock2 = manualClock();
    const second = recordingSource();
    const feed2 = makeFeed({ source: second.source, now: clock2.now });
    feed2.users = 1;
    feed2.push(sine(5000, 22_050, 0.5), 22_050);
    play(feed2, clock2, 500);
    const tone = concat(second.frames).subarray(4800, 4800 + 14_400);
    const imageDb = 10 * Math.log10(power(tone, 17_050, OUTPUT_RATE) / power(tone, 5000, OUTPUT_RATE));
    expect(imageDb).toBeLessThan(-60);
  });

  it('clear() stops the sound within one frame (a 1.5 ms fade, then silence) and empties the queue at once', () => {
    const clock = manualClock();
    const { source, frames } = recordingSource();
    const feed = makeFeed({ source, now: clock.now });
    feed.users = 1;
    feed.push(sine(440, 22_050, 2, 0.9), 22_050);
    play(feed, clock, 100);
    const before = frames.length;
    expect(frames.at(-1)!.data.samples.some((v) => Math.abs(v) > 10_000)).toBe(true);
    feed.clear();
    expect(feed.queuedMs).toBe(0);
    const playedAtClear = feed.playedMs;
    play(feed, clock, 100);
    const after = frames.slice(before);
    expect(after.length).toBeGreaterThanOrEqual(10);
    // The next frame: a short fade (never louder than the tone) then zeros; every frame after it: zeros.
    expect(after[0]!.data.samples.subarray(72).every((v) => v === 0)).toBe(true);
    expect(after.slice(1).every(({ data }) => data.samples.every((v) => v === 0))).toBe(true);
    expect(feed.playedMs - playedAtClear).toBeCloseTo(1.5, 5); // only the fade was played after the cut
    // New speech after the cut plays from the next frame.
    const startsAt = feed.push(sine(440, 22_050, 0.1), 22_050);
    expect(startsAt).toBeCloseTo(feed.playedMs, 5);
    clock.step(10);
    expect(feed.queuedMs).toBeCloseTo(100 - 10, 0);
    expect(frames.at(-1)!.data.samples.some((v) => v !== 0)).toBe(true);
  });

  it('counts playedMs and queuedMs in pushed-audio time, across chunks and sample rates, and push() says when a chunk will start', () => {
    const clock = manualClock();
    const { source, frames } = recordingSource();
    const feed = makeFeed({ source, now: clock.now });
    feed.users = 1;
    const a = feed.push(sine(300, 22_050, 0.3), 22_050);
    const b = feed.push(sine(300, 22_050, 0.2), 22_050);
    const c = feed.push(sine(300, 24_000, 0.1), 24_000); // another voice's rate
    expect([a, b, c].map((v) => Math.round(v * 10) / 10)).toEqual([0, 300, 500]);
    expect(feed.queuedMs).toBeCloseTo(600, 0);
    play(feed, clock, 100); // a silent frame went when the viewer came, then one each 10 ms
    expect(frames.length).toBe(11);
    expect(feed.playedMs).toBe(100);
    expect(feed.playedMs + feed.queuedMs).toBeCloseTo(600, 0);
    play(feed, clock, 600);
    expect(feed.queuedMs).toBe(0);
    expect(feed.playedMs).toBeCloseTo(600, 0);
    // Chunks of one utterance join without a seam (at 300 ms): no sample jumps more than a 300 Hz
    // sine can between samples. (The onset and the end ring a little, as band-limited edges do.)
    const out = concat(frames).subarray(FRAME_SAMPLES); // after the silent frame sent when the viewer came
    let jump = 0;
    for (let i = 100; i < Math.round(0.5 * OUTPUT_RATE) - 100; i++) jump = Math.max(jump, Math.abs(out[i]! - out[i - 1]!));
    expect(jump).toBeLessThan(0.5 * 2 * Math.PI * (300 / OUTPUT_RATE) * 1.05);
  });

  it('starts speech to the sample when asked to start later (startsInMs), and no earlier than what is queued before it', () => {
    const clock = manualClock();
    const { source, frames } = recordingSource();
    const feed = makeFeed({ source, now: clock.now, leadMs: 0 });
    feed.users = 1; // a silent frame at +0; the next is due at +10 ms
    const block = (ms: number) => new Int16Array(Math.round(22.05 * ms)).fill(16_384);
    expect(feed.push(block(100), 22_050, { startsInMs: 125 })).toBeCloseTo(115, 5); // 115 ms of wait, then speech
    expect(feed.push(block(50), 22_050, { startsInMs: 10 })).toBeCloseTo(215, 5); // asked for earlier: right after
    expect(feed.queuedMs).toBeCloseTo(265, 1);
    play(feed, clock, 300);
    const out = concat(frames);
    const first = out.findIndex((v) => v !== 0);
    expect(first).toBe(125 * 48); // 125 ms after the frame sent at +0
    expect(out.subarray(first + 48, first + 48 * 140).every((v) => Math.abs(v - 0.5) < 0.01)).toBe(true); // both blocks, no seam
    expect(feed.playedMs).toBeCloseTo(265, 1);

    // By default scheduled speech leaves AUDIO_LEAD_MS early: a viewer's audio path is longer than its video's.
    const lead = recordingSource();
    const early = makeFeed({ source: lead.source, now: clock.now });
    early.users = 1;
    early.push(block(50), 22_050, { startsInMs: 125 });
    play(early, clock, 200);
    expect(concat(lead.frames).findIndex((v) => v !== 0)).toBe((125 - AUDIO_LEAD_MS) * 48);
  });

  it('does no work while nobody watches, yet speech keeps time: a viewer joining mid-sentence hears the rest', async () => {
    const clock = manualClock();
    const { source, frames } = recordingSource();
    const feed = makeFeed({ source, now: clock.now });
    feed.push(sine(440, 22_050, 1), 22_050);
    clock.step(400);
    expect(frames).toHaveLength(0);
    expect(feed.playedMs).toBe(410);
    expect(feed.queuedMs).toBeCloseTo(590, 0);
    feed.users = 1;
    expect(frames).toHaveLength(0); // the next frame is due at +410 ms, from where the sentence has got to
    play(feed, clock, 1000);
    expect(feed.queuedMs).toBe(0);
    const speechFrames = frames.filter(({ data }) => data.samples.some((v) => v !== 0)).length;
    expect(speechFrames).toBe(59);
    feed.users = 0;
    clock.step(5000);
    await sleep(30);
    expect(frames.length).toBe(100); // nothing after the last viewer left
    expect(() => feed.push(new Int16Array(10), 22_050.5)).toThrow(/sample rate/);
  });

  it('after a stall it does not burst the backlog out: one frame, then the clock picks up from now', () => {
    const clock = manualClock();
    const { source, frames } = recordingSource();
    const feed = makeFeed({ source, now: clock.now });
    feed.users = 1;
    feed.push(sine(440, 22_050, 1), 22_050);
    clock.step(500); // the event loop was blocked for half a second
    feed.playedMs;
    expect(frames.length).toBe(2); // the silent one when the viewer came, one after the stall
    expect(feed.stalls).toBe(1);
    expect(feed.playedMs).toBe(10); // the speech waited; none of it was dropped
  });
});
