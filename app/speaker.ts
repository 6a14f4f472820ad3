/**
 * Speaks a session's replies with its voice: reply text is cut into clauses as it streams in, each
 * clause is synthesised at once (far faster than real time) and placed on one timeline after the
 * one before; its audio goes to the sinks (the page's WebSocket, WebRTC) and its mouth timeline to
 * the engine, timed on when its sound is heard. A new line cuts sound and mouth together.
 */
import type { AudioChunk, MouthEvent, Voice, VoiceSpec } from '../protocol/voice.js';
import type { PersonaSession } from './session.js';

/**
 * Sound is scheduled this far ahead of "now" when a reply starts: room for the page's audio to
 * arrive and start, so the mouth (timed the same) and the sound agree.
 */
export const SPEECH_LEAD_MS = 120;
/** A clause ends at . ! ? ; : or a comma after a few words; very long runs are cut at a space. */
const CLAUSE_END = /[.!?;:…]+["')\]]*\s+|,\s+(?=\S+\s+\S+)/g;
const MAX_CLAUSE_CHARS = 220;

export interface SpeechSinks {
  /** One utterance's audio: `startsInMs` from now its first sample is to be heard; `chunks` in order. */
  audio(utterance: { id: number; text: string; startsInMs: number; chunks: AudioChunk[] }): void;
  /** The speech was cut: stop playing whatever is playing or scheduled, now. */
  stop(): void;
}

export class Speaker {
  /** Text of the reply not yet cut into a clause. */
  private pending = '';
  /** Bumped by interrupt(): work begun under an older generation is dropped. */
  private generation = 0;
  /** Engine time at which the last scheduled utterance ends. */
  private cursor = 0;
  /** The mouth line last handed to the engine, on its own clock from `startsAt`. */
  private line: { startsAt: number; mouth: readonly MouthEvent[] } | null = null;
  private nextId = 1;
  /** Clauses are synthesised one after another, in order. */
  private chain: Promise<void> = Promise.resolve();
  /** What was heard before the last cut (kept in the history); null when nothing was cut. */
  lastCut: { spoken: string; unspoken: string } | null = null;
  private spoken: { text: string; startsAt: number; endsAt: number }[] = [];

  constructor(
    private readonly session: PersonaSession,
    private readonly voice: Voice,
    private readonly spec: VoiceSpec,
    private readonly sinks: SpeechSinks,
  ) {}

  /** Reply text as it streams in: every finished clause is spoken at once. */
  feed(text: string): void {
    this.pending += text;
    let cut = 0;
    for (const match of this.pending.matchAll(CLAUSE_END)) {
      this.queue(this.pending.slice(cut, match.index! + match[0].length));
      cut = match.index! + match[0].length;
    }
    this.pending = this.pending.slice(cut);
    while (this.pending.length > MAX_CLAUSE_CHARS) {
      const space = this.pending.lastIndexOf(' ', MAX_CLAUSE_CHARS);
      const at = space > 0 ? space + 1 : MAX_CLAUSE_CHARS;
      this.queue(this.pending.slice(0, at));
      this.pending = this.pending.slice(at);
    }
  }

  /** The reply is complete: speak what is left of it. */
  end(): void {
    this.queue(this.pending);
    this.pending = '';
  }

  /** A new line or `stop`: sound and mouth stop now; clauses not yet heard are dropped. */
  interrupt(): void {
    const now = this.session.now;
    const playing = this.spoken.some((s) => s.endsAt > now);
    this.generation++;
    this.pending = '';
    if (playing) {
      this.lastCut = {
        spoken: this.spoken.filter((s) => s.startsAt <= now).map((s) => s.text).join('').trim(),
        unspoken: this.spoken.filter((s) => s.startsAt > now).map((s) => s.text).join('').trim(),
      };
      this.sinks.stop();
      this.session.hush();
    }
    this.spoken = [];
    this.cursor = now;
    this.line = null;
  }

  private queue(clause: string): void {
    if (!clause.trim()) return;
    const generation = this.generation;
    this.chain = this.chain.then(() => this.speakClause(clause, generation)).catch((error: Error) => console.error(`voice: ${error.message}`));
  }

  private async speakClause(text: string, generation: number): Promise<void> {
    if (generation !== this.generation) return;
    const utterance = this.voice.speak(text.trim(), this.spec);
    const chunks: AudioChunk[] = [];
    for await (const chunk of utterance.chunks) chunks.push(chunk);
    const { durationMs, cancelled } = await utterance.done;
    if (cancelled || generation !== this.generation || chunks.length === 0) return;
    const now = this.session.now;
    const startsAt = Math.max(this.cursor, now + SPEECH_LEAD_MS);
    this.cursor = startsAt + durationMs;
    const id = this.nextId++;
    this.spoken.push({ text, startsAt, endsAt: this.cursor });
    this.sinks.audio({ id, text, startsInMs: startsAt - now, chunks });
    // The mouth line goes to the engine now, timed on its sound: it carries the rest of the line before
    // it up to its own first shape (which forms before its first sample when the sound starts at once),
    // so one timeline plays on, with no hand-over to wait for.
    const mouth = this.carryOver(now, startsAt, utterance.mouth);
    this.line = { startsAt, mouth };
    this.session.say(text, { mouth, startsAt, durationMs });
  }

  /** `mouth` (of a line starting at `startsAt`) after what is still to play of the line before it, on its clock. */
  private carryOver(now: number, startsAt: number, mouth: readonly MouthEvent[]): MouthEvent[] {
    const before = this.line;
    if (!before) return [...mouth];
    const shift = before.startsAt - startsAt;
    const first = mouth[0]?.atMs ?? 0;
    const carried = before.mouth.map((e) => ({ ...e, atMs: e.atMs + shift })).filter((e) => e.atMs < first);
    // From the shape showing now on (older ones are over), so a long reply's timeline does not grow.
    let showing = 0;
    while (showing + 1 < carried.length && carried[showing + 1]!.atMs <= now - startsAt) showing++;
    return [...carried.slice(showing), ...mouth];
  }

  /** Stops speaking for good (the session closes). */
  dispose(): void {
    this.interrupt();
  }
}
