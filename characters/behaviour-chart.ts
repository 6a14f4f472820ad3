/**
 * The default behaviour chart (xstate v5). Parallel regions: posture, gesture, emotion, blink.
 * The chart decides; its actions write targets through `PersonaTargets`; systems do the easing.
 * Delays run on the clock the actor is given (the engine's timers), so it is deterministic under test.
 */
import { assign, emit, setup } from 'xstate';
import type { GazeTarget } from '../protocol/directive.js';
import type { BodyPose } from '../protocol/skeleton.js';
import {
  findAction,
  gestureKeyframes,
  type Keyframe,
  type PostureAction,
  type PostureName,
  type Vocabulary,
} from './vocabulary.js';

/** Where the chart's actions write: implemented by the engine over its target components. */
export interface PersonaTargets {
  /** Move to a resting posture over `ms`. */
  posture(name: PostureName, ms: number): void;
  /** Overlay a gesture keyframe (null clears it) reached over `ms`. */
  gesture(pose: BodyPose | null, ms: number): void;
  /** Show an expression at an intensity, easing over `ms`; 'neutral' clears the emotion. */
  expression(name: string, intensity: number, ms: number): void;
  blink(closed: boolean): void;
  gaze(target: GazeTarget): void;
}

export interface BehaviourInput {
  targets: PersonaTargets;
  vocabulary: Vocabulary;
  /** Seeds the idle life (blink gaps), so each persona blinks on its own rhythm, reproducibly. */
  seed: number;
  baseline: { expression: string; intensity: number };
  expressionHoldMs: number;
  /** Engine time, ms: keyframes are scheduled from the gesture's start so tick rounding never accumulates. */
  now: () => number;
}

export type BehaviourEvent =
  | { type: 'ACT'; name: string; repeat?: number; speed?: number; directiveId?: string }
  | { type: 'FEEL'; name: string; intensity: number; holdMs?: number; directiveId?: string }
  | { type: 'LOOK'; target: GazeTarget };

export type BehaviourEmitted =
  | { type: 'action.started'; action: string; directiveId?: string }
  | { type: 'action.finished'; action: string; directiveId?: string }
  | { type: 'action.refused'; action: string; reason: string; directiveId?: string }
  | { type: 'expression.changed'; expression: string; intensity: number };

interface RunningGesture {
  name: string;
  keys: Keyframe[];
  index: number;
  speed: number;
  startedAt: number;
  /** When each keyframe ends, ms after startedAt, at this speed. */
  ends: number[];
  directiveId?: string;
}

interface BehaviourContext extends BehaviourInput {
  random: () => number;
  gesture: RunningGesture | null;
  postureChange: { name: string; ms: number; directiveId?: string } | null;
  feeling: { name: string; intensity: number; holdMs: number };
  gazeTarget: GazeTarget;
}

/** Emotions ease in over this long, and back to the baseline over EXPRESSION_RELEASE_MS. */
export const EXPRESSION_EASE_MS = 350;
export const EXPRESSION_RELEASE_MS = 800;
/** How long the eyelids stay shut in a blink. */
export const BLINK_MS = 120;

/** Mulberry32: a tiny seeded PRNG, enough for idle timing. */
const seededRandom = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

const postureAction = (context: BehaviourContext, name: string): PostureAction | undefined => {
  const action = findAction(context.vocabulary, name);
  return action?.kind === 'posture' ? action : undefined;
};

const currentKey = (g: RunningGesture): Keyframe => g.keys[g.index]!;

export const behaviourChart = setup({
  types: {
    context: {} as BehaviourContext,
    events: {} as BehaviourEvent,
    input: {} as BehaviourInput,
    emitted: {} as BehaviourEmitted,
  },
  guards: {
    'asks to sit': ({ context, event }) => event.type === 'ACT' && postureAction(context, event.name)?.to === 'sitting',
    'asks to stand': ({ context, event }) => event.type === 'ACT' && postureAction(context, event.name)?.to === 'standing',
    'asks for a gesture': ({ context, event }) =>
      event.type === 'ACT' && findAction(context.vocabulary, event.name)?.kind === 'gesture',
    'has another keyframe': ({ context }) => !!context.gesture && context.gesture.index + 1 < context.gesture.keys.length,
    'asks for neutral': ({ event }) => event.type === 'FEEL' && (event.name === 'neutral' || event.intensity <= 0),
  },
  actions: {
    'remember posture change': assign({
      postureChange: ({ context, event }) => {
        if (event.type !== 'ACT') return context.postureChange;
        const action = postureAction(context, event.name)!;
        return { name: action.name, ms: action.ms / (event.speed ?? 1), directiveId: event.directiveId };
      },
    }),
    'write posture target': ({ context }, params: { posture: PostureName }) =>
      context.targets.posture(params.posture, context.postureChange?.ms ?? 600),
    'report posture change started': emit(({ context }) => ({
      type: 'action.started' as const,
      action: context.postureChange!.name,
      directiveId: context.postureChange!.directiveId,
    })),
    'report posture change finished': emit(({ context }) => ({
      type: 'action.finished' as const,
      action: context.postureChange!.name,
      directiveId: context.postureChange!.directiveId,
    })),
    'refuse: already there': emit(({ event }) => ({
      type: 'action.refused' as const,
      action: event.type === 'ACT' ? event.name : '',
      reason: event.type === 'ACT' && event.name === 'sit_down' ? 'already sitting' : 'already standing',
      directiveId: event.type === 'ACT' ? event.directiveId : undefined,
    })),
    'refuse: posture change under way': emit(({ event }) => ({
      type: 'action.refused' as const,
      action: event.type === 'ACT' ? event.name : '',
      reason: 'still changing posture',
      directiveId: event.type === 'ACT' ? event.directiveId : undefined,
    })),
    'load gesture': assign({
      gesture: ({ context, event }) => {
        if (event.type !== 'ACT') return context.gesture;
        const action = findAction(context.vocabulary, event.name);
        if (action?.kind !== 'gesture') return context.gesture;
        const keys = gestureKeyframes(action, event.repeat);
        const speed = event.speed ?? 1;
        let end = 0;
        return {
          name: action.name,
          keys,
          index: 0,
          speed,
          startedAt: context.now(),
          ends: keys.map((k) => (end += k.ms / speed)),
          directiveId: event.directiveId,
        };
      },
    }),
    'advance keyframe': assign({
      gesture: ({ context }) => (context.gesture ? { ...context.gesture, index: context.gesture.index + 1 } : null),
    }),
    'write keyframe target': ({ context }) => {
      const g = context.gesture!;
      const key = currentKey(g);
      context.targets.gesture(Object.keys(key.joints).length ? { joints: key.joints } : null, key.ms / g.speed);
    },
    'clear gesture target': ({ context }) => context.targets.gesture(null, 300),
    'report gesture started': emit(({ context }) => ({
      type: 'action.started' as const,
      action: context.gesture!.name,
      directiveId: context.gesture!.directiveId,
    })),
    'report gesture finished': emit(({ context }) => ({
      type: 'action.finished' as const,
      action: context.gesture!.name,
      directiveId: context.gesture!.directiveId,
    })),
    'forget gesture': assign({ gesture: null }),
    'release gesture face': ({ context }) => {
      const face = findAction(context.vocabulary, context.gesture!.name)?.expression;
      if (face && context.feeling.name === context.baseline.expression)
        context.targets.expression(context.baseline.expression, context.baseline.intensity, EXPRESSION_RELEASE_MS);
    },
    'show gesture face': ({ context }) => {
      const face = findAction(context.vocabulary, context.gesture!.name)?.expression;
      if (face && context.feeling.name === context.baseline.expression) context.targets.expression(face.name, face.intensity, EXPRESSION_EASE_MS);
    },
    'remember feeling': assign({
      feeling: ({ context, event }) =>
        event.type === 'FEEL'
          ? { name: event.name, intensity: event.intensity, holdMs: event.holdMs ?? context.expressionHoldMs }
          : context.feeling,
    }),
    'write feeling target': ({ context }) =>
      context.targets.expression(context.feeling.name, context.feeling.intensity, EXPRESSION_EASE_MS),
    'report feeling': emit(({ context }) => ({
      type: 'expression.changed' as const,
      expression: context.feeling.name,
      intensity: context.feeling.intensity,
    })),
    'return to baseline mood': assign({
      feeling: ({ context }) => ({ name: context.baseline.expression, intensity: context.baseline.intensity, holdMs: 0 }),
    }),
    'write baseline target': ({ context }) =>
      context.targets.expression(context.baseline.expression, context.baseline.intensity, EXPRESSION_RELEASE_MS),
    'close eyes': ({ context }) => context.targets.blink(true),
    'open eyes': ({ context }) => context.targets.blink(false),
    'aim gaze': assign({
      gazeTarget: ({ context, event }) => {
        if (event.type !== 'LOOK') return context.gazeTarget;
        context.targets.gaze(event.target);
        return event.target;
      },
    }),
  },
  delays: {
    'posture change time': ({ context }) => context.postureChange?.ms ?? 600,
    'keyframe time': ({ context }) => {
      const g = context.gesture;
      return g ? Math.max(0, g.startedAt + g.ends[g.index]! - context.now()) : 0;
    },
    'expression hold': ({ context }) => context.feeling.holdMs,
    'blink gap': ({ context }) => 2000 + context.random() * 4000,
    'blink length': BLINK_MS,
  },
}).createMachine({
  id: 'persona',
  type: 'parallel',
  context: ({ input }) => ({
    ...input,
    random: seededRandom(input.seed),
    gesture: null,
    postureChange: null,
    feeling: { name: input.baseline.expression, intensity: input.baseline.intensity, holdMs: 0 },
    gazeTarget: 'camera',
  }),
  on: { LOOK: { actions: 'aim gaze' } },
  states: {
    posture: {
      initial: 'standing',
      states: {
        standing: {
          on: {
            ACT: [
              { guard: 'asks to sit', target: 'sittingDown', actions: 'remember posture change' },
              { guard: 'asks to stand', actions: 'refuse: already there' },
            ],
          },
        },
        sittingDown: {
          entry: [{ type: 'write posture target', params: { posture: 'sitting' } }, 'report posture change started'],
          after: { 'posture change time': { target: 'sitting', actions: 'report posture change finished' } },
          on: { ACT: { guard: 'asks to stand', actions: 'refuse: posture change under way' } },
        },
        sitting: {
          on: {
            ACT: [
              { guard: 'asks to stand', target: 'standingUp', actions: 'remember posture change' },
              { guard: 'asks to sit', actions: 'refuse: already there' },
            ],
          },
        },
        standingUp: {
          entry: [{ type: 'write posture target', params: { posture: 'standing' } }, 'report posture change started'],
          after: { 'posture change time': { target: 'standing', actions: 'report posture change finished' } },
          on: { ACT: { guard: 'asks to sit', actions: 'refuse: posture change under way' } },
        },
      },
    },
    gesture: {
      initial: 'idle',
      states: {
        idle: {
          on: { ACT: { guard: 'asks for a gesture', target: 'performing', actions: 'load gesture' } },
        },
        performing: {
          entry: ['report gesture started', 'show gesture face'],
          initial: 'keyframe',
          states: {
            keyframe: {
              entry: 'write keyframe target',
              after: {
                'keyframe time': [
                  { guard: 'has another keyframe', target: 'keyframe', reenter: true, actions: 'advance keyframe' },
                  { target: '#persona.gesture.idle', actions: ['report gesture finished', 'release gesture face', 'clear gesture target', 'forget gesture'] },
                ],
              },
            },
          },
          on: {
            // A new gesture interrupts the running one.
            ACT: {
              guard: 'asks for a gesture',
              target: 'performing',
              reenter: true,
              actions: ['report gesture finished', 'load gesture'],
            },
          },
        },
      },
    },
    emotion: {
      initial: 'baseline',
      states: {
        baseline: {
          on: { FEEL: { guard: ({ event }) => event.name !== 'neutral' && event.intensity > 0, target: 'feeling', actions: 'remember feeling' } },
        },
        feeling: {
          entry: ['write feeling target', 'report feeling'],
          after: { 'expression hold': { target: 'baseline', actions: ['return to baseline mood', 'write baseline target', 'report feeling'] } },
          on: {
            FEEL: [
              { guard: 'asks for neutral', target: 'baseline', actions: ['return to baseline mood', 'write baseline target', 'report feeling'] },
              { target: 'feeling', reenter: true, actions: 'remember feeling' },
            ],
          },
        },
      },
    },
    blink: {
      initial: 'open',
      states: {
        open: { after: { 'blink gap': 'closed' } },
        closed: { entry: 'close eyes', exit: 'open eyes', after: { 'blink length': 'open' } },
      },
    },
  },
});

export type BehaviourChart = typeof behaviourChart;
