/**
 * Spawns a persona entity from a character definition: components at the standing pose, its
 * behaviour actor on the engine's timers, and a ring of three frame buffers for its frame source.
 */
import { addComponent, addEntity } from 'bitecs';
import { createActor } from 'xstate';
import { CONDITIONING, HAND_CHANNEL_COUNT } from '../protocol/conditioning.js';
import { ROTATION_STRIDE, MAX_ENTITIES } from '../engine/components.js';
import { behaviourChart } from '../characters/behaviour-chart.js';
import type { CharacterDefinition } from '../characters/types.js';
import type { FrameSource } from '../native/index.js';
import { createPersonaTargets } from './behaviour/persona-targets.js';
import { composePoseTarget } from './animation/compose-pose-target.js';
import type { FrameRing, PersonaWorld } from './resources.js';

export const RING_SIZE = 3;

export const spawnPersona = (world: PersonaWorld, character: CharacterDefinition, source: FrameSource | null, seed = 1): number => {
  const { BodyLayers, Expression, ExpressionTarget, FaceLayers, FrameSlot, Identity, Persona, Pose, PoseTarget, PoseVelocity, Speech } = world.components;
  const eid = addEntity(world);
  if (eid >= MAX_ENTITIES) throw new Error(`too many entities: this world holds at most ${MAX_ENTITIES - 1} personas`);
  for (const c of [Persona, Pose, PoseVelocity, PoseTarget, BodyLayers, Expression, ExpressionTarget, FaceLayers, Speech, Identity, FrameSlot]) addComponent(world, eid, c);
  Identity.seed[eid] = seed;

  // Every layer written, so a recycled entity row starts clean: standing, no gesture, a still face.
  const targets = createPersonaTargets(world, eid, character.vocabulary);
  targets.posture('standing', 0);
  targets.gesture(null, 0);
  BodyLayers.stanceX[eid] = 0;
  BodyLayers.stanceYaw[eid] = 0;
  targets.weightShift(0);
  targets.expression('neutral', 0, 350);
  targets.gestureFace(null, 350);
  targets.speak(null);
  targets.blink(false);
  targets.gaze('camera');
  composePoseTarget(world);
  // Start at rest: the shown pose equals the target, nothing moving.
  Pose.rootX[eid] = PoseTarget.rootX[eid]!;
  Pose.rootY[eid] = PoseTarget.rootY[eid]!;
  Pose.rootYaw[eid] = PoseTarget.rootYaw[eid]!;
  const base = eid * ROTATION_STRIDE;
  Pose.rotation.set(PoseTarget.rotation.subarray(base, base + ROTATION_STRIDE), base);
  PoseVelocity.rotation.fill(0, base, base + ROTATION_STRIDE);
  Pose.hand.set(PoseTarget.hand.subarray(eid * HAND_CHANNEL_COUNT, (eid + 1) * HAND_CHANNEL_COUNT), eid * HAND_CHANNEL_COUNT);

  const chart = character.behaviour?.customize?.(behaviourChart) ?? behaviourChart;
  const actor = createActor(chart, {
    clock: world.timers,
    input: {
      targets,
      vocabulary: character.vocabulary,
      seed,
      baseline: character.baseline,
      expressionHoldMs: character.expressionHoldMs,
      now: () => world.time.now,
      fidgets: character.behaviour?.fidgets,
    },
  });
  const forward = (event: Parameters<Parameters<typeof actor.on>[1]>[0]) => {
    const stamped = { ...event, at: world.time.now } as Parameters<typeof world.events.push>[0]['event'];
    world.events.push({ eid, event: stamped });
  };
  for (const type of ['action.started', 'action.finished', 'action.refused', 'expression.changed'] as const) actor.on(type, forward);
  actor.start();
  world.resources.personas.set(eid, { character, actor, targets });

  if (source) {
    source.configure(character.look);
    const ring: FrameRing = {
      source,
      buffers: Array.from({ length: RING_SIZE }, () => new Uint8Array(source.width * source.height * 4)),
      conditioning: Array.from({ length: RING_SIZE }, () => new Float32Array(CONDITIONING.length)),
      state: Array.from({ length: RING_SIZE }, () => 'free' as const),
      holds: new Array<number>(RING_SIZE).fill(0),
      seq: new Array<number>(RING_SIZE).fill(-1),
      submittedAt: new Array<number>(RING_SIZE).fill(0),
      nextSeq: 0,
      presented: -1,
      lastPublishedSeq: -1,
      skipped: 0,
      lastError: null,
    };
    FrameSlot.ring[eid] = eid;
    world.resources.frameRings.set(eid, ring);
  }
  return eid;
};
