/**
 * The persona's voice as one WebRTC audio track (Opus, added beside the video in the same stream).
 * The voice pushes PCM (Int16 mono, any rate: espeak-ng gives 22,050 Hz); the feed resamples it
 * to 48 kHz with a windowed-sinc (band-limited) interpolator and hands it to libwebrtc exactly
 * 10 ms (480 samples, a fresh Int16Array: wrtc checks the whole buffer) per `onData` call, paced
 * against a monotonic deadline (performance.now()), not against timer callbacks, so the sample
 * clock never drifts from wall time.
 *
 * When nothing is queued and someone is watching, the feed sends silence instead of pausing:
 * libwebrtc stamps audio packets from a sample count, not the wall clock, so a paused track's RTP
 * clock would fall behind the video's by the length of every pause; the viewer's jitter buffer
 * then sees speech arrive "late", and its lip sync (RTCP sender reports map RTP to wall time)
 * drifts. Silence keeps one clock for sound and frames, costing a few kbit/s of Opus per viewer.
 *
 * Nobody watching: no frames are made and no timer runs. Queued speech still "plays" on the same
 * deadline (its position is advanced arithmetically when asked), so `playedMs` keeps following the
 * engine clock and a viewer who joins mid-sentence hears the rest in step with the mouth.
 */
import { wrtc, type RTCAudioSource } from './wrtc.js';

/** What libwebrtc gets: 48 kHz mono, 10 ms per call. */
export const OUTPUT_RATE = 48_000;
export const FRAME_MS = 10;
export const FRAME_SAMPLES = (OUTPUT_RATE * FRAME_MS) / 1000;
/**
 * When the event loop was blocked for longer than this, the feed does not burst the backlog out
 * (the viewer's jitter buffer would take it as a network spike); it sends one frame and picks the
 * clock up from now, so speech is delayed by the stall, never cut, and `playedMs` waits with it.
 */
export const MAX_CATCH_UP_MS = 60;
/**
 * Speech scheduled ahead (push's `startsInMs`) leaves this much earlier than its time, so that a
 * viewer hears it with the frames published at that time. Video goes out with a zero playout
 * delay (app/webrtc/wrtc.ts), so Chrome shows frames as soon as they are decoded and its A/V sync
 * cannot hold them back to meet the audio, whose path is longer: 20 ms Opus packets, ~30 ms in
 * NetEq's jitter buffer, ~30 ms of audio output. Measured at a Chromium WHEP viewer here
 * (bench/av-skew.ts) with no lead, a sound sent with its frame was heard 65 ms after the frame was
 * shown (p50 of the transport's share; av_skew_ms p50 58, 40–74 ms with the 30 fps frame grid).
 * 50, not 65: a sound falls up to ±17 ms from the frame nearest it, and ATSC IS-191's window is
 * lopsided (audio at most 15 ms early, 45 ms late): centring the spread near +15 ms keeps both
 * ends inside.
 */
export const AUDIO_LEAD_MS = 50;
/** clear() fades what was playing out over this many samples (1.5 ms) instead of cutting mid-wave (a click). */
const FADE_SAMPLES = 72;

/** Interpolation filter: taps each side of the output point (at the lower of the two rates), Kaiser window. */
const HALF_TAPS = 16;
const KAISER_BETA = 8;
/** Passband edge, as a share of the lower Nyquist frequency (22,050 Hz in: flat to ~8 kHz, images above 11 kHz down 60+ dB). */
const CUTOFF = 0.9;
/** Rate ratios needing more polyphase rows than this compute each row when used instead of caching it. */
const MAX_CACHED_PHASES = 4096;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** A stretch of the speech timeline, read out at 48 kHz. */
interface Segment {
  readonly rate: number;
  /** Output samples left. */
  readonly remaining: number;
  /** Writes up to `count` samples at out[offset…] (floats, ±1 full scale); returns how many. */
  read(out: Float32Array, offset: number, count: number): number;
  /** Moves past up to `count` samples without computing them; returns how many. */
  skip(count: number): number;
}

/** Silence on the timeline: the wait before an utterance scheduled to start later. */
class Gap implements Segment {
  readonly rate = 0;
  constructor(public remaining: number) {}
  read(out: Float32Array, offset: number, count: number): number {
    const n = Math.min(count, this.remaining);
    out.fill(0, offset, offset + n);
    this.remaining -= n;
    return n;
  }
  skip(count: number): number {
    const n = Math.min(count, this.remaining);
    this.remaining -= n;
    return n;
  }
}

/** Modified Bessel function of the first kind, order 0 (for the Kaiser window). */
const besselI0 = (x: number): number => {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k++) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
};

/** Polyphase filter rows by input rate, made once per process. */
const filterRows = new Map<number, Float32Array>();

/**
 * One stretch of input at one sample rate, read out at 48 kHz. Output sample n sits at input time
 * n·M/L (L/M = 48,000/rate in lowest terms), kept exactly as an integer index and a phase 0..L−1.
 * Input before the first sample and past the last is zero.
 */
class Run implements Segment {
  readonly L: number;
  readonly M: number;
  /** Input samples used each side of an output point. */
  private readonly K: number;
  private readonly fc: number;
  private readonly i0Beta = besselI0(KAISER_BETA);
  private readonly rows: Float32Array | null;
  private readonly scratch: Float32Array;
  /** Input samples (as floats), buf[0] being absolute index `base`; zero past `end`. */
  private buf: Float32Array;
  private base: number;
  end = 0;
  /** Next output point: input index and phase (the point is ipos + phase/L). */
  private ipos = 0;
  private phase = 0;

  constructor(readonly rate: number) {
    const g = gcd(OUTPUT_RATE, rate);
    this.L = OUTPUT_RATE / g;
    this.M = rate / g;
    const scale = Math.min(1, OUTPUT_RATE / rate); // downsampling: cut at the output's Nyquist
    this.fc = rate === OUTPUT_RATE ? 1 : CUTOFF * scale;
    this.K = rate === OUTPUT_RATE ? 1 : Math.ceil(HALF_TAPS / scale);
    this.scratch = new Float32Array(2 * this.K);
    let rows = this.L <= MAX_CACHED_PHASES ? (filterRows.get(rate) ?? null) : null;
    if (this.L <= MAX_CACHED_PHASES && !rows) {
      rows = new Float32Array(this.L * 2 * this.K);
      for (let p = 0; p < this.L; p++) this.row(p, rows.subarray(p * 2 * this.K, (p + 1) * 2 * this.K));
      filterRows.set(rate, rows);
    }
    this.rows = rows;
    this.base = -this.K; // K zeros of history before the first sample
    this.buf = new Float32Array(4096);
  }

  /** Weights for input samples ipos−K+1 … ipos+K at phase p, summing to 1 (unity gain at DC). */
  private row(p: number, out: Float32Array): Float32Array {
    const { K, fc } = this;
    const frac = p / this.L;
    let sum = 0;
    for (let k = -K + 1; k <= K; k++) {
      const x = frac - k; // distance from the output point to input sample ipos+k, in input samples
      const r = x / K;
      const window = Math.abs(r) >= 1 ? 0 : besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / this.i0Beta;
      const u = fc * x;
      const w = (u === 0 ? 1 : Math.sin(Math.PI * u) / (Math.PI * u)) * window;
      out[k + K - 1] = w;
      sum += w;
    }
    for (let i = 0; i < out.length; i++) out[i]! /= sum;
    return out;
  }

  append(pcm: Int16Array): void {
    const need = this.end - this.base + pcm.length + this.K;
    if (need > this.buf.length) {
      // Drop what no output point can reach any more, then grow if that was not enough.
      const keepFrom = Math.min(this.ipos, this.end) - this.K + 1;
      const kept = this.buf.subarray(keepFrom - this.base, this.end - this.base);
      const size = Math.max(this.buf.length, 2 ** Math.ceil(Math.log2(kept.length + pcm.length + this.K + 1)));
      const next = size === this.buf.length ? this.buf : new Float32Array(size);
      next.set(kept, 0);
      next.fill(0, kept.length);
      this.buf = next;
      this.base = keepFrom;
    }
    const at = this.end - this.base;
    for (let i = 0; i < pcm.length; i++) this.buf[at + i] = pcm[i]! / 32768;
    this.end += pcm.length;
  }

  /** Output samples left before the last input sample is passed. */
  get remaining(): number {
    return this.ipos < this.end ? Math.ceil(((this.end - this.ipos) * this.L - this.phase) / this.M) : 0;
  }

  read(out: Float32Array, offset: number, count: number): number {
    const { K, L, M, buf } = this;
    const taps = 2 * K;
    let n = 0;
    while (n < count && this.ipos < this.end) {
      const weights = this.rows ? this.rows.subarray(this.phase * taps, (this.phase + 1) * taps) : this.row(this.phase, this.scratch);
      const first = this.ipos - K + 1 - this.base;
      let y = 0;
      for (let k = 0; k < taps; k++) y += buf[first + k]! * weights[k]!;
      out[offset + n++] = y;
      this.phase += M;
      if (this.phase >= L) {
        this.ipos += Math.floor(this.phase / L);
        this.phase %= L;
      }
    }
    return n;
  }

  skip(count: number): number {
    const n = Math.min(count, this.remaining);
    const total = this.phase + n * this.M;
    this.ipos += Math.floor(total / this.L);
    this.phase = total % this.L;
    return n;
  }
}

const toInt16 = (value: number): number => Math.max(-32768, Math.min(32767, Math.round(value * 32768)));

export interface AudioFeedOptions {
  /** The monotonic clock, ms (tests may drive their own). */
  now?: () => number;
  /** Where frames go; by default a new wrtc RTCAudioSource whose track the feed owns. */
  source?: RTCAudioSource;
  /** How much earlier than its `startsInMs` scheduled speech leaves (default AUDIO_LEAD_MS). */
  leadMs?: number;
}

export class AudioFeed {
  readonly track: MediaStreamTrack;
  private readonly source: RTCAudioSource;
  private readonly now: () => number;
  private readonly leadMs: number;
  /** The speech timeline still to play, oldest first: a new run starts whenever the pushed sample rate changes or a gap comes between. */
  private runs: Segment[] = [];
  /** clear()'s fade-out, sent at the start of the next frame. */
  private fade: Float32Array | null = null;
  private readonly mix = new Float32Array(FRAME_SAMPLES);
  /** When the next frame is due (performance.now() ms); null while the clock is idle. */
  private deadline: number | null = null;
  private timer: NodeJS.Timeout | null = null;
  private watchers = 0;
  private playedSamples = 0;
  private stopped = false;
  /** Frames handed to libwebrtc, those of them that were all silence, and stalls the clock skipped past. */
  framesSent = 0;
  silentFrames = 0;
  stalls = 0;

  constructor(options: AudioFeedOptions = {}) {
    this.now = options.now ?? (() => performance.now());
    this.leadMs = options.leadMs ?? AUDIO_LEAD_MS;
    this.source = options.source ?? new wrtc.nonstandard.RTCAudioSource();
    this.track = this.source.createTrack();
  }

  /** Viewers and pushers currently using the track; frames are made (and sent) only while > 0. */
  get users(): number {
    return this.watchers;
  }

  set users(count: number) {
    const was = this.watchers;
    this.watchers = Math.max(0, count);
    if (was === 0 && this.watchers > 0) {
      const now = this.now();
      this.advance(now); // catch up on speech that played to nobody, then send from here
      this.deadline ??= now;
      this.advance(now); // the frame due now goes at once
      this.schedule();
    } else if (was > 0 && this.watchers === 0) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      this.fade = null;
      if (this.queuedSamples === 0) this.deadline = null;
    }
  }

  /**
   * Queues speech (Int16 mono at `sampleRate`) after whatever is queued. With `startsInMs` (when
   * it is to be heard, with the frames the engine publishes then), its first sample goes out
   * `leadMs` before that (to the sample; the wait is silence on the timeline), or as soon as what
   * is queued before it has played, if that is later. Returns the `playedMs` at which its first
   * sample will have been sent.
   */
  push(pcm: Int16Array, sampleRate: number, options: { startsInMs?: number } = {}): number {
    if (!Number.isInteger(sampleRate) || sampleRate < 8000 || sampleRate > 192_000) {
      throw new RangeError(`audio: sample rate must be a whole number of Hz from 8,000 to 192,000, got ${sampleRate}`);
    }
    const now = this.now();
    this.advance(now);
    if (pcm.length === 0 || this.stopped) return this.playedMs + this.queuedMs;
    if (options.startsInMs !== undefined) {
      // The queue ends this long after the next frame's deadline (or now, when the clock is idle).
      const endsAt = (this.deadline ?? now) + (this.queuedSamples * 1000) / OUTPUT_RATE;
      const gap = Math.round(((now + options.startsInMs - this.leadMs - endsAt) * OUTPUT_RATE) / 1000);
      if (gap > 0) this.runs.push(new Gap(gap));
    }
    const startsAt = this.playedMs + this.queuedMs;
    let run = this.runs.at(-1);
    if (!(run instanceof Run) || run.rate !== sampleRate) {
      if (run && run.remaining === 0) this.runs.pop();
      run = new Run(sampleRate);
      this.runs.push(run);
    }
    (run as Run).append(pcm);
    if (this.deadline === null) {
      this.deadline = now; // the clock was idle (nobody watching, nothing queued): speech starts now
      if (this.watchers > 0) this.schedule();
    }
    return startsAt;
  }

  /**
   * Drops everything queued, at once (an interruption): the next frame out carries at most a
   * 1.5 ms fade of what was playing, then silence, so the sound stops within one 10 ms frame.
   */
  clear(): void {
    this.advance(this.now());
    if (this.watchers > 0 && this.queuedSamples > 0) {
      const fade = new Float32Array(FADE_SAMPLES);
      const n = this.readSpeech(fade, 0, FADE_SAMPLES);
      for (let i = 0; i < n; i++) fade[i]! *= 1 - (i + 1) / n;
      this.fade = fade.subarray(0, n); // counted as played when the frame carrying it goes out
    }
    this.runs = [];
    if (this.watchers === 0) this.deadline = null;
  }

  /**
   * Milliseconds of the speech timeline (pushed speech and the waits scheduled before it) sent so
   * far, or passed while nobody watched, in 10 ms steps. Silence sent while nothing is queued
   * does not count.
   */
  get playedMs(): number {
    this.advance(this.now());
    return (this.playedSamples * 1000) / OUTPUT_RATE;
  }

  /** Milliseconds of the speech timeline queued and not yet sent. */
  get queuedMs(): number {
    this.advance(this.now());
    return (this.queuedSamples * 1000) / OUTPUT_RATE;
  }

  private get queuedSamples(): number {
    let n = 0;
    for (const run of this.runs) n += run.remaining;
    return n;
  }

  /** Reads queued speech into `out` (48 kHz floats); returns the samples written. */
  private readSpeech(out: Float32Array, offset: number, count: number): number {
    let n = 0;
    while (n < count && this.runs.length > 0) {
      n += this.runs[0]!.read(out, offset + n, count - n);
      if (n < count) {
        if (this.runs.length === 1) break; // keep the last run: its history joins the next push at that rate
        this.runs.shift();
      }
    }
    return n;
  }

  private skipSpeech(count: number): number {
    let n = 0;
    while (n < count && this.runs.length > 0) {
      n += this.runs[0]!.skip(count - n);
      if (n < count) {
        if (this.runs.length === 1) break;
        this.runs.shift();
      }
    }
    return n;
  }

  /** Makes every frame that is due by `now`: sent while watched, passed over arithmetically while not. */
  private advance(now: number): void {
    if (this.deadline === null || this.stopped) return;
    if (this.watchers === 0) {
      if (now >= this.deadline) {
        const frames = Math.floor((now - this.deadline) / FRAME_MS) + 1;
        this.playedSamples += this.skipSpeech(frames * FRAME_SAMPLES);
        this.deadline += frames * FRAME_MS;
      }
      if (this.queuedSamples === 0) this.deadline = null;
      return;
    }
    if (now - this.deadline > MAX_CATCH_UP_MS) {
      this.stalls++;
      this.deadline = now;
    }
    while (this.deadline <= now) {
      this.sendFrame();
      this.deadline += FRAME_MS;
    }
  }

  private sendFrame(): void {
    const mix = this.mix;
    mix.fill(0);
    let speech = 0;
    if (this.fade) {
      mix.set(this.fade);
      speech = this.fade.length;
      this.fade = null;
    }
    const read = this.readSpeech(mix, speech, FRAME_SAMPLES - speech);
    speech += read;
    const samples = new Int16Array(FRAME_SAMPLES); // fresh each call: wrtc reads the whole buffer
    if (speech > 0) for (let i = 0; i < speech; i++) samples[i] = toInt16(mix[i]!);
    else this.silentFrames++;
    this.playedSamples += speech;
    this.source.onData({ samples, sampleRate: OUTPUT_RATE, bitsPerSample: 16, channelCount: 1, numberOfFrames: FRAME_SAMPLES });
    this.framesSent++;
  }

  private schedule(): void {
    if (this.timer || this.stopped || this.watchers === 0 || this.deadline === null) return;
    const tick = () => {
      this.timer = null;
      if (this.watchers === 0 || this.stopped) return;
      try {
        this.advance(this.now());
      } catch (error) {
        console.error(`audio: frame hand-off failed: ${(error as Error).message}`);
      }
      if (this.deadline === null) this.deadline = this.now();
      this.timer = setTimeout(tick, Math.max(0, Math.ceil(this.deadline - this.now())));
      this.timer.unref();
    };
    this.timer = setTimeout(tick, Math.max(0, Math.ceil(this.deadline - this.now())));
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.runs = [];
    this.track.stop();
  }
}
