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
import { createFrameSource, type FrameSource } from '../native/index.js';
import { LoadQueue, SourceManager } from '../native/source-manager.js';
import type { FrameSourceId, SourceStatus } from '../protocol/frame-source.js';
import { EmbeddedInterpreter, type Interpretation } from '../persona/embedded-interpreter.js';
import { createPersonaSchedule } from '../systems/schedule.js';
import { createPersonaWorld, type PersonaWorld, type PublishedFrame } from '../systems/resources.js';
import { spawnPersona } from '../systems/spawn-persona.js';
import { extractState } from '../systems/output/publish-state.js';
import { resolveDataDir } from '../persona/conversation-store.js';

export interface SessionOptions {
  /** Character id from characters/ (default 'aria'), or a definition (e.g. one imported from a card). */
  character?: string | CharacterDefinition;
  fps?: 30 | 60;
  width?: number;
  height?: number;
  /** Injected clock; the default reads performance.now(). */
  clock?: EngineClock;
  /**
   * The frame source: a registry id ('puppet', the default; 'control': the OpenPose skeleton;
   * 'diffusion': loaded in the background while the puppet shows), a FrameSource object, or null
   * for no frames (logic-only tests). Switch later with setSource().
   */
  source?: FrameSourceId | FrameSource | null;
  /** Settings for `source` (its registry entry's schema). */
  sourceConfig?: Record<string, unknown>;
  /** Where sources find the engine cache and default models dir (default ~/.persona-engine). */
  dataDir?: string;
  /** Shared by the sessions of one server, so that only one source loads at a time. */
  loadQueue?: LoadQueue;
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
  /** Loads and swaps this session's frame source; null for a session without frames. */
  readonly sources: SourceManager | null;
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
    // Puppet and control start at once (frames from the first tick); any other source loads in the background while the puppet shows.
    const immediate = typeof source === 'string' ? createFrameSource(source === 'control' ? 'control' : 'puppet', this.width, this.height) : source;
    this.seed = options.seed ?? 1;
    this.eid = spawnPersona(this.world, this.character, immediate, this.seed);
    this.interpreter = new EmbeddedInterpreter(this.character);
    this.sources = immediate
      ? new SourceManager({
          width: this.width,
          height: this.height,
          look: this.character.look,
          dataDir: options.dataDir ?? resolveDataDir(),
          queue: options.loadQueue,
          initial: { id: immediate.kind, config: { shot: 'full_body' }, source: immediate },
          swap: (next) => {
            const ring = this.world.resources.frameRings.get(this.eid);
            if (ring) ring.source = next;
          },
        })
      : null;
    if (this.sources && typeof source === 'string' && source !== immediate?.kind) {
      // A load that fails says why in the status (/api/health, the UI; `persona serve` prints it); the puppet keeps showing.
      void this.sources.use(source, options.sourceConfig);
    }
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
   * when the sound is heard, for `durationMs`. Taken by the next tick, without re-phasing the loop: the
   * line is timed on engine time, and a re-phase would move engine time against the sound already scheduled.
   */
  say(text: string, voice: SpokenLine): void {
    this.world.resources.speech.push({ eid: this.eid, line: { text, voice } });
    for (const listener of this.inputListeners) listener({ type: 'say', text, voice });
  }

  /** The voice was cut: the mouth stops with it at the next tick. */
  hush(): void {
    this.world.resources.speech.push({ eid: this.eid, line: 'hush' });
    for (const listener of this.inputListeners) listener({ type: 'hush' });
    this.loop?.nudge();
  }

  /**
   * Engine time now, ms: the clock the voice's lines are placed on. Running in real time, this moment's
   * (between ticks), not the last tick's: a sound scheduled `startsAt − now` from now is heard at `startsAt`.
   */
  get now(): number {
    return this.loop?.now() ?? this.world.time.now;
  }

  /** The real-time loop's phase controls (a viewer's display pacing moves them); null on the simulated clock or before start(). */
  get phase(): Pick<LoopHandle, 'rephase' | 'snapNudges' | 'phaseShift'> | null {
    return this.loop;
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

  /** Where the frame source stands: which shows, what is loading (with progress), why a source failed. */
  get sourceStatus(): SourceStatus | null {
    return this.sources?.status ?? null;
  }

  /**
   * Switches the frame source at run time: throws at once for an unknown id or bad settings;
   * otherwise loads off the tick (the current source keeps showing) and resolves with the status.
   */
  setSource(id: string, config?: unknown): Promise<SourceStatus> {
    if (!this.sources) throw new Error('this session renders no frames');
    return this.sources.use(id, config);
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
    this.sources?.close();
  }
}
