/**
 * A persona session: one world with one persona, its frame source, the embedded interpreter and
 * the tick loop. Chat lines go in; replies, engine events, state and frames come out to listeners.
 */
import { directiveSchemaFor, type Directive } from '../protocol/directive.js';
import type { EngineEvent, PersonaState } from '../protocol/events.js';
import { RealClock, type EngineClock } from '../engine/clock.js';
import { startLoop, step, type LoopHandle } from '../engine/loop.js';
import type { Schedule } from '../engine/schedule.js';
import { getCharacter } from '../characters/index.js';
import { actionNames, expressionNames } from '../characters/vocabulary.js';
import type { CharacterDefinition } from '../characters/types.js';
import type { SpokenLine } from '../characters/behaviour-chart.js';
import { createFrameSource, type FrameSource, type FrameSourceName } from '../native/index.js';
import { EmbeddedInterpreter, type Interpretation } from '../persona/embedded-interpreter.js';
import { createPersonaSchedule } from '../systems/schedule.js';
import { createPersonaWorld, type PersonaWorld, type PublishedFrame } from '../systems/resources.js';
import { spawnPersona } from '../systems/spawn-persona.js';
import { extractState } from '../systems/output/publish-state.js';

export interface SessionOptions {
  /** Character id from characters/ (default 'aria'), or a definition (e.g. one imported from a card). */
  character?: string | CharacterDefinition;
  fps?: 30 | 60;
  width?: number;
  height?: number;
  /** Injected clock; the default reads performance.now(). */
  clock?: EngineClock;
  /**
   * The frame source: a native one by name ('puppet', the default, or 'control': the OpenPose
   * skeleton), a FrameSource object, or null for no frames (logic-only tests).
   */
  source?: FrameSourceName | FrameSource | null;
  /**
   * Move the mouth along the reply's letters while it shows (default false). Off by default: with
   * no voice yet, a talking mouth reads as muted audio; a voice will drive the same speech layer.
   */
  lipSyncText?: boolean;
  /** Seeds the persona's idle life (blinks, glances, fidgets); default 1. A replay passes the recording's. */
  seed?: number;
}

/** What reached the engine, in the order it came: what a recorder writes down (app/recorder.ts). */
export type SessionInput =
  | { type: 'directive'; directive: Directive }
  | { type: 'say'; text: string; voice: SpokenLine }
  | { type: 'hush' };

export class PersonaSession {
  readonly world: PersonaWorld;
  readonly schedule: Schedule<PersonaWorld>;
  readonly character: CharacterDefinition;
  readonly eid: number;
  readonly fps: number;
  readonly width: number;
  readonly height: number;
  readonly seed: number;
  private readonly interpreter: EmbeddedInterpreter;
  private readonly validate: ReturnType<typeof directiveSchemaFor>;
  private readonly source: FrameSource | null;
  private loop: LoopHandle | null = null;
  private readonly inputListeners = new Set<(input: SessionInput) => void>();

  constructor(options: SessionOptions = {}) {
    this.character = typeof options.character === 'object' ? options.character : getCharacter(options.character ?? 'aria');
    this.fps = options.fps ?? 30;
    this.width = options.width ?? 512;
    this.height = options.height ?? 512;
    this.world = createPersonaWorld({ clock: options.clock ?? new RealClock(), hz: this.fps, settings: { lipSyncText: options.lipSyncText ?? false } });
    this.schedule = createPersonaSchedule();
    const source = options.source === undefined ? 'puppet' : options.source;
    this.source = typeof source === 'string' ? createFrameSource(source, this.width, this.height) : source;
    this.seed = options.seed ?? 1;
    this.eid = spawnPersona(this.world, this.character, this.source, this.seed);
    this.interpreter = new EmbeddedInterpreter(this.character);
    this.validate = directiveSchemaFor({
      actions: actionNames(this.character.vocabulary),
      expressions: expressionNames(this.character.vocabulary),
    });
  }

  /** Interprets a chat line and queues its directives for the next tick. */
  chat(text: string): Interpretation {
    const result = this.interpreter.interpret(text, this.state());
    for (const d of result.directives) this.submit(d);
    return result;
  }

  /** Validates a directive against the character's vocabulary and queues it; throws saying what is wrong. */
  submit(directive: unknown): Directive {
    const parsed = this.validate.safeParse(directive);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`invalid directive: ${issue?.path.join('.') || 'directive'}: ${issue?.message}`);
    }
    this.world.resources.inbox.push({ eid: this.eid, directive: parsed.data });
    for (const listener of this.inputListeners) listener({ type: 'directive', directive: parsed.data });
    this.loop?.nudge(); // running in real time: the next tick takes it now, not up to a tick later
    return parsed.data;
  }

  /**
   * The voice speaks `text`: its mouth timeline (audio time) plays from engine time `startsAt`,
   * when the sound is heard, for `durationMs`. Taken by the next tick.
   */
  say(text: string, voice: SpokenLine): void {
    this.world.resources.speech.push({ eid: this.eid, line: { text, voice } });
    for (const listener of this.inputListeners) listener({ type: 'say', text, voice });
    this.loop?.nudge();
  }

  /** The voice was cut: the mouth stops with it at the next tick. */
  hush(): void {
    this.world.resources.speech.push({ eid: this.eid, line: 'hush' });
    for (const listener of this.inputListeners) listener({ type: 'hush' });
    this.loop?.nudge();
  }

  /** Engine time now, ms: the clock the voice's lines are placed on. */
  get now(): number {
    return this.world.time.now;
  }

  state(): PersonaState {
    return extractState(this.world.resources.personas.get(this.eid)!, this.world.time.tick);
  }

  onFrame(listener: (frame: PublishedFrame) => void): () => void {
    const set = this.world.resources.outputs.frame;
    set.add(listener);
    return () => set.delete(listener);
  }

  onEvent(listener: (event: EngineEvent) => void): () => void {
    const set = this.world.resources.outputs.event;
    const wrapped = (_eid: number, event: EngineEvent) => listener(event);
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Told each input as it is queued, before the tick that takes it (`world.time.tick + 1`) runs. */
  onInput(listener: (input: SessionInput) => void): () => void {
    this.inputListeners.add(listener);
    return () => this.inputListeners.delete(listener);
  }

  onState(listener: (state: PersonaState) => void): () => void {
    const set = this.world.resources.outputs.state;
    const wrapped = (_eid: number, state: PersonaState) => listener(state);
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  /** Runs one tick now (tests and benchmarks on a simulated clock). */
  step(): void {
    step(this.world, this.schedule);
  }

  /** Ticks in real time until stop(). */
  start(): void {
    this.loop ??= startLoop(this.world, this.schedule);
  }

  /** Ticks the loop skipped to catch up with the clock, over the session's life (kept after stop()). */
  get droppedTicks(): number {
    return this.world.profiler.droppedTicks;
  }

  stop(): void {
    this.loop?.stop();
    this.loop = null;
    this.world.resources.personas.get(this.eid)?.actor.stop();
    this.source?.dispose();
  }
}
