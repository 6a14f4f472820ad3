/**
 * Speaks a session's replies with its voice: reply text is cut into clauses as it streams in, each
 * clause is synthesised at once (far faster than real time) and placed on one timeline after the
 * one before; its audio goes to the sinks (the page's WebSocket, WebRTC) and its mouth timeline to
 * the engine, timed to start when its sound is heard. A new line cuts sound and mouth together.
 */
import type { AudioChunk, Voice, VoiceSpec } from '../protocol/voice.js';
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
  private nextId = 1;
  /** Clauses are synthesised one after another, in order. */
  private chain: Promise<void> = Promise.resolve();
  private readonly timers = new Set<NodeJS.Timeout>();
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
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
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
    // The mouth line goes to the engine when its sound begins, so it never cuts the line before it.
    const timer = setTimeout(
      () => {
        this.timers.delete(timer);
        if (generation === this.generation) this.session.say(text, { mouth: utterance.mouth, startsAt, durationMs });
      },
      Math.max(0, startsAt - now - 40),
    );
    this.timers.add(timer);
  }

  /** Stops speaking for good (the session closes). */
  dispose(): void {
    this.interrupt();
  }
}
