/**
 * The world resources the systems share, as typed fields of the world (`world.resources.inbox`):
 * behaviour actors by entity, the directive inbox, frame rings, the output sinks and settings.
 * `createPersonaWorld` makes a world with them.
 */
import type { Actor } from 'xstate';
import type { Directive } from '../protocol/directive.js';
import type { EngineEvent, PersonaState } from '../protocol/events.js';
import type { EngineClock } from '../engine/clock.js';
import { createEngineWorld, type EngineWorld } from '../engine/world.js';
import type { BehaviourChart, PersonaTargets, SpokenLine } from '../characters/behaviour-chart.js';
import type { CharacterDefinition } from '../characters/types.js';
import type { FrameSource } from '../native/index.js';

export interface PersonaRecord {
  character: CharacterDefinition;
  actor: Actor<BehaviourChart>;
  targets: PersonaTargets;
  /** The last state the output phase published, so it publishes only changes. */
  lastStateKey?: string;
}

/** 'held': retired from showing but still read by a sink that called `hold()`; free once released. */
export type BufferState = 'free' | 'filling' | 'ready' | 'held';

/** Three JS-allocated buffers per persona: one being shown, others being filled. */
export interface FrameRing {
  source: FrameSource;
  buffers: Uint8Array[];
  conditioning: Float32Array[];
  state: BufferState[];
  /** Sinks still reading each buffer after their callback (see PublishedFrame.hold). */
  holds: number[];
  seq: number[];
  /** Engine time at which each buffer's fill was submitted. */
  submittedAt: number[];
  nextSeq: number;
  /** Index of the newest finished buffer, -1 before the first. */
  presented: number;
  lastPublishedSeq: number;
  /** Ticks that found no free buffer (the native side was behind). */
  skipped: number;
  lastError: string | null;
}

export interface PublishedFrame {
  eid: number;
  seq: number;
  width: number;
  height: number;
  /** Valid only during the callback: copy what you keep, or `hold()` it. */
  rgba: Uint8Array;
  /** The conditioning the frame was rendered from (valid only during the callback). */
  conditioning: Float32Array;
  submittedAt: number;
  /**
   * Call during the callback to keep `rgba` valid after it, without a copy: the engine does not
   * refill the buffer until the returned function is called (soon: a held buffer is one fewer to fill).
   */
  hold(): () => void;
}

/** Takes buffer `index` out of showing: free, or 'held' while a sink still reads it. */
export const retireBuffer = (ring: FrameRing, index: number): void => {
  ring.state[index] = ring.holds[index]! > 0 ? 'held' : 'free';
};

/** Holds buffer `index` of `ring` for a sink; returns its release. */
export const holdBuffer = (ring: FrameRing, index: number): (() => void) => {
  if (ring.state[index] !== 'ready' && ring.holds[index] === 0) {
    throw new Error('hold() must be called during the frame callback: the frame has been replaced since, and its buffer may be refilling');
  }
  ring.holds[index]!++;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    ring.holds[index]!--;
    if (ring.holds[index] === 0 && ring.state[index] === 'held') ring.state[index] = 'free';
  };
};

/**
 * Hands the ring's presented frame to the frame sinks, once: called the moment a fill lands, so
 * a frame leaves as soon as it is filled rather than at the next tick. A fill that lands after a
 * newer one was presented is never presented, so frames leave in order.
 */
export const publishPresented = (world: PersonaWorld, eid: number, ring: FrameRing): void => {
  const i = ring.presented;
  if (i < 0 || ring.seq[i]! <= ring.lastPublishedSeq) return;
  ring.lastPublishedSeq = ring.seq[i]!;
  const frame: PublishedFrame = {
    eid,
    seq: ring.seq[i]!,
    width: ring.source.width,
    height: ring.source.height,
    rgba: ring.buffers[i]!,
    conditioning: ring.conditioning[i]!,
    submittedAt: ring.submittedAt[i]!,
    hold: () => holdBuffer(ring, i),
  };
  for (const sink of world.resources.outputs.frame) sink(frame);
};

export interface Outputs {
  frame: Set<(frame: PublishedFrame) => void>;
  state: Set<(eid: number, state: PersonaState) => void>;
  event: Set<(eid: number, event: EngineEvent) => void>;
}

/** Session-wide switches the systems read. */
export interface PersonaSettings {
  /** Turn each directive's dialogue into a text-driven mouth track (the speech layer). */
  lipSyncText: boolean;
}

export interface PersonaResources {
  /** Behaviour actors and characters, by entity: the side table xstate refs live in. */
  personas: Map<number, PersonaRecord>;
  /** Directives waiting for the next input phase. */
  inbox: { eid: number; directive: Directive }[];
  /** Lines the voice speaks (with their mouth timelines), or a hush when it was cut, for the next input phase. */
  speech: { eid: number; line: { text: string; voice: SpokenLine } | 'hush' }[];
  frameRings: Map<number, FrameRing>;
  outputs: Outputs;
  settings: PersonaSettings;
}

/** The world the persona systems run on. */
export type PersonaWorld = EngineWorld<PersonaResources>;

export const createPersonaWorld = (options: { clock: EngineClock; hz: number; settings?: PersonaSettings }): PersonaWorld =>
  createEngineWorld<PersonaResources>({
    clock: options.clock,
    hz: options.hz,
    resources: {
      personas: new Map(),
      inbox: [],
      speech: [],
      frameRings: new Map(),
      outputs: { frame: new Set(), state: new Set(), event: new Set() },
      settings: options.settings ?? { lipSyncText: false },
    },
  });
