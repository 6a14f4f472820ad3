/**
 * A remote voice behind the voice seam (protocol/voice.ts): an OpenAI-compatible `POST {baseUrl}/audio/speech`
 * asked for raw PCM (24 kHz, 16-bit little-endian, mono; a WAV answer is parsed too), streamed into audio
 * chunks as the body arrives. The server gives no timing, so the mouth and the word marks are estimated
 * from the text and the audio's envelope (mouth-from-envelope.ts).
 */
import type { MouthEvent, Utterance, UtteranceEnd, Voice, VoiceAvailability, VoiceSpec, WordMark } from '../protocol/voice.js';
import { EnvelopeMouth, type EnvelopeMouthOptions } from './mouth-from-envelope.js';
import { ChunkQueue } from './chunk-queue.js';

export interface RemoteVoiceOptions {
  /** Base URL up to and including `/v1`, e.g. `https://api.openai.com/v1`; `/audio/speech` is appended. */
  baseUrl: string;
  /** Sent as `Authorization: Bearer …` when set. */
  apiKey?: string;
  /** The server's speech model ("tts-1"). */
  model?: string;
  /** The server's voice name ("alloy"); the character's espeak-style VoiceSpec does not apply to it. */
  voice?: string;
  /** The server must answer, and then keep sending, within this many ms (15 000). */
  timeoutMs?: number;
  mouth?: EnvelopeMouthOptions;
  /** For tests; the global fetch otherwise. */
  fetch?: typeof fetch;
}

/** OpenAI's `pcm` response format. */
export const REMOTE_PCM_RATE = 24000;

interface PcmFormat {
  sampleRate: number;
  channels: number;
}

/**
 * Turns body pieces into mono Int16 samples: raw little-endian PCM, or a WAV (RIFF) whose header is read first.
 * Bytes that do not make a whole frame yet (an odd byte, a partial header) wait for the next piece.
 */
class PcmDecoder {
  private carry = new Uint8Array(0);
  format: PcmFormat | null;

  constructor(private readonly wav: boolean) {
    this.format = wav ? null : { sampleRate: REMOTE_PCM_RATE, channels: 1 };
  }

  push(piece: Uint8Array): Int16Array {
    let bytes = piece;
    if (this.carry.length) {
      bytes = new Uint8Array(this.carry.length + piece.length);
      bytes.set(this.carry);
      bytes.set(piece, this.carry.length);
    }
    let offset = 0;
    if (!this.format) {
      const header = parseWavHeader(bytes);
      if (header === 'more') {
        this.carry = bytes.slice();
        return new Int16Array(0);
      }
      this.format = header.format;
      offset = header.dataOffset;
    }
    const frameBytes = 2 * this.format.channels;
    const frames = Math.floor((bytes.length - offset) / frameBytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Int16Array(frames);
    for (let f = 0; f < frames; f++) {
      let sum = 0;
      for (let c = 0; c < this.format.channels; c++) sum += view.getInt16(offset + f * frameBytes + 2 * c, true);
      out[f] = Math.round(sum / this.format.channels);
    }
    this.carry = bytes.slice(offset + frames * frameBytes);
    return out;
  }
}

/** The format and where the samples start, or 'more' until the `data` chunk's header has arrived. */
export const parseWavHeader = (bytes: Uint8Array): 'more' | { format: PcmFormat; dataOffset: number } => {
  if (bytes.length < 12) return 'more';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
  if (tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('remote voice: the answer is not a WAV file');
  let at = 12;
  let format: PcmFormat | null = null;
  while (at + 8 <= bytes.length) {
    const id = tag(at);
    const size = view.getUint32(at + 4, true);
    if (id === 'data') {
      if (!format) throw new Error('remote voice: WAV data before its fmt chunk');
      return { format, dataOffset: at + 8 };
    }
    if (at + 8 + size > bytes.length) return 'more';
    if (id === 'fmt ') {
      const audioFormat = view.getUint16(at + 8, true);
      const channels = view.getUint16(at + 10, true);
      const sampleRate = view.getUint32(at + 12, true);
      const bits = view.getUint16(at + 22, true);
      if ((audioFormat !== 1 && audioFormat !== 0xfffe) || bits !== 16 || channels < 1)
        throw new Error(`remote voice: unsupported WAV (format ${audioFormat}, ${bits}-bit, ${channels} channels); 16-bit PCM needed`);
      format = { sampleRate, channels };
    }
    at += 8 + size + (size & 1);
  }
  return 'more';
};

const describeFailure = (error: unknown, url: string): Error => {
  const e = error as { message?: string; cause?: { code?: string; message?: string } };
  const why = e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(error);
  return new Error(`remote voice: unreachable (${url}: ${why})`);
};

/** The remote voice: `speak()` posts the text at once and streams the answer's audio. */
export const createRemoteVoice = (options: RemoteVoiceOptions): Voice => {
  const live = new Set<Utterance>();
  let disposed = false;
  const model = options.model ?? 'tts-1';
  const voiceName = options.voice ?? 'alloy';
  const timeoutMs = options.timeoutMs ?? 15_000;
  const doFetch = options.fetch ?? globalThis.fetch;

  const availability = (): VoiceAvailability =>
    options.baseUrl
      ? { ok: true }
      : { ok: false, reason: 'remote voice: no base URL set', detail: 'set the speech server’s base URL, up to and including /v1' };

  const speak = (text: string, _spec: VoiceSpec): Utterance => {
    const queue = new ChunkQueue();
    let envelope: EnvelopeMouth | null = null;
    const mouth: MouthEvent[] = [];
    const words: WordMark[] = [];
    let sampleRate = REMOTE_PCM_RATE;
    let samples = 0;
    let finished = false;
    let settle!: { resolve: (end: UtteranceEnd) => void; reject: (error: Error) => void };
    const done = new Promise<UtteranceEnd>((resolve, reject) => (settle = { resolve, reject }));
    done.catch(() => {}); // a failure nobody awaits is not an unhandled rejection; awaiting it still throws
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;

    const audioMs = () => (samples / sampleRate) * 1000;
    /** Copies the envelope's new final events into the utterance's (append-only) arrays. */
    const syncMouth = () => {
      if (!envelope) return;
      for (let i = mouth.length; i < envelope.mouth.length; i++) mouth.push(envelope.mouth[i]!);
      for (let i = words.length; i < envelope.words.length; i++) words.push(envelope.words[i]!);
    };
    const finish = (end: UtteranceEnd | Error) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      live.delete(utterance);
      if (end instanceof Error) {
        controller.abort();
        queue.end(true, end);
        settle.reject(end);
        return;
      }
      envelope?.end(samples);
      syncMouth();
      if (mouth.length === 0) mouth.push({ atMs: 0, viseme: 'rest', weight: 0 });
      queue.end(end.cancelled);
      settle.resolve(end);
    };

    const utterance: Utterance = {
      chunks: queue,
      mouth,
      words,
      done,
      cancel: () => {
        if (finished) return;
        finish({ durationMs: audioMs(), cancelled: true });
        controller.abort();
      },
    };

    if (disposed || !options.baseUrl) {
      finish(new Error(disposed ? 'remote voice: this voice was disposed' : 'remote voice: no base URL set'));
      return utterance;
    }
    live.add(utterance);

    const url = `${options.baseUrl.replace(/\/+$/, '')}/audio/speech`;
    let timedOut = false;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, timeoutMs);
    };
    const timeoutError = () => new Error(`remote voice: no answer within ${timeoutMs} ms (${url})`);

    const run = async () => {
      arm();
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'audio/pcm, audio/wav;q=0.9, */*;q=0.1',
            ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
          },
          body: JSON.stringify({ model, input: text, voice: voiceName, response_format: 'pcm' }),
          signal: controller.signal,
        });
      } catch (error) {
        if (finished) return;
        throw timedOut ? timeoutError() : describeFailure(error, url);
      }
      if (finished) return;
      if (!response.ok) {
        arm();
        const body = await response.text().catch(() => '');
        const snippet = body.replace(/\s+/g, ' ').trim().slice(0, 200);
        throw new Error(`remote voice: HTTP ${response.status} ${response.statusText}${snippet ? `: ${snippet}` : ''} (${url})`);
      }
      const type = response.headers.get('content-type') ?? '';
      let decoder: PcmDecoder | null = /wav|wave/i.test(type) ? new PcmDecoder(true) : null;
      if (!response.body) throw new Error(`remote voice: the answer has no body (${url})`);
      const reader = response.body.getReader();
      try {
        for (;;) {
          arm();
          let piece: ReadableStreamReadResult<Uint8Array>;
          try {
            piece = await reader.read();
          } catch (error) {
            if (finished) return;
            throw timedOut ? timeoutError() : describeFailure(error, url);
          }
          if (finished) return;
          if (piece.done) break;
          if (!piece.value.length) continue;
          // No content type to go by: a body that opens with RIFF is a WAV.
          decoder ??= new PcmDecoder(piece.value.length >= 4 && String.fromCharCode(...piece.value.subarray(0, 4)) === 'RIFF');
          const pcm = decoder.push(piece.value);
          if (!decoder.format || pcm.length === 0) continue;
          if (!envelope) {
            sampleRate = decoder.format.sampleRate;
            envelope = new EnvelopeMouth(text, sampleRate, options.mouth);
          }
          const atMs = audioMs();
          samples += pcm.length;
          envelope.push(pcm);
          syncMouth();
          queue.push({ pcm, sampleRate, atMs });
        }
      } finally {
        reader.releaseLock();
      }
      finish({ durationMs: audioMs(), cancelled: false });
    };
    run().catch((error: unknown) => finish(error instanceof Error ? error : new Error(String(error))));
    return utterance;
  };

  return {
    id: 'remote',
    availability,
    speak,
    dispose: () => {
      disposed = true;
      for (const u of [...live]) u.cancel();
    },
  };
};
