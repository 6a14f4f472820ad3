/**
 * The default behaviour chart (xstate v5). Parallel regions:
 * - activity: idle, changing posture, or playing a gesture's keyframes; requests queue behind it
 *   or interrupt it, as each action's definition says (pure decisions in behaviour-plan.ts). The
 *   posture is the chart's alone: `context.posture`, set when a posture change starts;
 * - emotion: the asked-for expression, held for `holdMs`, then back to the baseline mood;
 * - speech: silent or speaking (the mouth layer wins over the emotion's mouth);
 * - gaze: attentive to the camera with wandering glances, or directed somewhere for a while;
 * - blink: a blink every 2–6 s;
 * - life: weight shifts, and a fidget after about 20 s without input.
 * The chart decides; its actions write targets through `PersonaTargets`; systems do the easing.
 * Delays run on the clock the actor is given (the engine's timers): deterministic under test.
 */
import { assign, emit, enqueueActions, raise, setup } from 'xstate';
import type { GazeTarget } from '../protocol/directive.js';
import type { MouthEvent } from '../protocol/voice.js';
import { faceCameraAction, facingOf, nextStance, planRequest, type ActionRequest, type Activity, type Stance } from './behaviour-plan.js';
import {
  findAction,
  gestureKeyframes,
  type GestureAction,
  type Keyframe,
  type PostureAction,
  type PostureName,
  type Vocabulary,
} from './vocabulary.js';
import { mulberry32 } from '../protocol/random.js';

/** Where the chart's actions write: implemented by the engine over its target components. */
export interface PersonaTargets {
  /** Move to a posture's resting pose over `ms`. */
  posture(name: PostureName, ms: number): void;
  /** Lay a gesture keyframe over the posture (null clears it), reached over `ms`. */
  gesture(key: Keyframe | null, ms: number): void;
  /** Turn or step for good: the stance the posture is drawn at (the chart keeps it), eased over `ms`. */
  stance(at: Stance, ms: number): void;
  /** The emotion layer: an expression at an intensity, eased over `ms`; 'neutral' clears it. */
  expression(name: string, intensity: number, ms: number): void;
  /** The gesture-face layer, above the emotion while a gesture plays (null clears it). */
  gestureFace(face: { name: string; intensity: number } | null, ms: number): void;
  /**
   * The speech layer: the mouth for `text` from now on (null: silent). With `voice`, the mouth plays
   * the voice's timeline from engine time `voice.startsAt` (when its audio is heard); without, it
   * follows the text's letters.
   */
  speak(text: string | null, voice?: SpokenLine): void;
  blink(closed: boolean): void;
  gaze(target: GazeTarget | 'glance-left' | 'glance-right' | 'glance-down'): void;
  /** Idle weight shift toward one side (-1, 1) or centred (0). */
  weightShift(side: -1 | 0 | 1): void;
}

/** A line as the voice speaks it: its mouth timeline on audio time, when that audio starts (engine time) and how long it lasts. */
export interface SpokenLine {
  mouth: readonly MouthEvent[];
  startsAt: number;
  durationMs: number;
}

export interface BehaviourInput {
  targets: PersonaTargets;
  vocabulary: Vocabulary;
  /** Seeds the idle life (blinks, glances, fidgets), so each persona has its own rhythm, reproducibly. */
  seed: number;
  baseline: { expression: string; intensity: number };
  expressionHoldMs: number;
  /** Engine time, ms: keyframes are scheduled from the gesture's start so tick rounding never accumulates. */
  now: () => number;
  /** Actions the persona may do by itself when left alone (default: look_around, stretch). */
  fidgets?: readonly string[];
}

export type BehaviourEvent =
  | ({ type: 'ACT' } & ActionRequest)
  | { type: 'FEEL'; name: string; intensity: number; holdMs?: number; directiveId?: string }
  | { type: 'LOOK'; target: GazeTarget }
  | { type: 'SAY'; text: string; voice?: SpokenLine }
  /** Stop talking now: the voice was cut (a new line, `stop`). */
  | { type: 'HUSH' }
  | { type: 'CANCEL' };

export type BehaviourEmitted =
  | { type: 'action.started'; action: string; directiveId?: string }
  | { type: 'action.finished'; action: string; directiveId?: string; interrupted?: boolean }
  | { type: 'action.refused'; action: string; reason: string; directiveId?: string }
  | { type: 'expression.changed'; expression: string; intensity: number };

interface RunningGesture {
  action: GestureAction;
  keys: Keyframe[];
  index: number;
  speed: number;
  startedAt: number;
  /** When each keyframe ends, ms after startedAt, at this speed. */
  ends: number[];
}

interface RunningActivity extends Activity {
  request?: ActionRequest;
  gesture?: RunningGesture;
  postureMs?: number;
}

interface BehaviourContext extends BehaviourInput {
  random: () => number;
  activity: RunningActivity;
  queue: ActionRequest[];
  /** The posture the persona rests in, or is moving into: the one place it is kept. */
  posture: PostureName;
  /** Where she faces and stands, changed by turns and steps: the one place it is kept. */
  stance: Stance;
  feeling: { name: string; intensity: number; holdMs: number };
  gazeTarget: GazeTarget;
  speechMs: number;
}

/** Emotions ease in over this long, and back to the baseline over EXPRESSION_RELEASE_MS. */
export const EXPRESSION_EASE_MS = 350;
export const EXPRESSION_RELEASE_MS = 800;
/** How long the eyelids stay shut in a blink. */
export const BLINK_MS = 120;
/** Seconds without input before the persona fidgets, give or take FIDGET_JITTER_MS. */
export const FIDGET_AFTER_MS = 20_000;
const FIDGET_JITTER_MS = 3_000;
/** A directed gaze holds this long before the eyes return to the camera. */
export const GAZE_HOLD_MS = 6_000;
/** A looping gesture (a dance) starts no new pass after this long: it winds down by itself. */
export const MAX_LOOP_MS = 10_000;
/** Left alone with her back turned this long, she turns to the camera again. */
export const BACK_TURNED_MS = 8_000;
/** Mouth-shape time per character of dialogue (about 14 characters a second). */
export const SPEECH_MS_PER_CHAR = 70;


const loadGesture = (action: GestureAction, request: ActionRequest, now: number): RunningGesture => {
  const keys = gestureKeyframes(action, request.repeat);
  const speed = request.speed ?? 1;
  let end = 0;
  return { action, keys, index: 0, speed, startedAt: now, ends: keys.map((k) => (end += k.ms / speed)) };
};

/** A looping gesture's next pass: its cycle again, timed on from where the last pass ended. */
const nextLoopPass = (g: RunningGesture): RunningGesture => {
  const cycle = [...g.action.cycle];
  let end = g.ends[g.index]!;
  return { ...g, keys: [...g.keys, ...cycle], ends: [...g.ends, ...cycle.map((k) => (end += k.ms / g.speed))], index: g.index + 1 };
};

const nextRequest = (context: BehaviourContext) => {
  const head = context.queue[0];
  return head ? findAction(context.vocabulary, head.name) : undefined;
};

const currentGesture = (context: BehaviourContext): RunningGesture => context.activity.gesture!;

export const behaviourChart = setup({
  types: {
    context: {} as BehaviourContext,
    events: {} as BehaviourEvent,
    input: {} as BehaviourInput,
    emitted: {} as BehaviourEmitted,
  },
  guards: {
    'next is a posture change': ({ context }) => nextRequest(context)?.kind === 'posture',
    'next is a gesture': ({ context }) => nextRequest(context)?.kind === 'gesture',
    'has another keyframe': ({ context }) => {
      const g = context.activity.gesture;
      return !!g && g.index + 1 < g.keys.length - g.action.outro.length;
    },
    'loops': ({ context }) => {
      const g = context.activity.gesture;
      if (!g?.action.loop) return false;
      const pass = g.action.cycle.reduce((ms, k) => ms + k.ms / g.speed, 0);
      return context.now() - g.startedAt + pass <= MAX_LOOP_MS;
    },
    'faces away': ({ context }) => facingOf(context.stance.yaw) === 'away' && !!faceCameraAction(context.vocabulary),
    'in outro with keyframes left': ({ context }) => {
      const g = context.activity.gesture;
      return !!g && g.index + 1 < g.keys.length;
    },
    'asks for neutral': ({ event }) => event.type === 'FEEL' && (event.name === 'neutral' || event.intensity <= 0),
    'asks for a feeling': ({ event }) => event.type === 'FEEL' && event.name !== 'neutral' && event.intensity > 0,
    'asks to look at the camera': ({ event }) => event.type === 'LOOK' && (event.target === 'camera' || event.target === 'user'),
    'is idle': ({ context }) => context.activity.kind === 'idle' && context.queue.length === 0,
  },
  actions: {
    'plan request': enqueueActions(({ context, event, enqueue }) => {
      if (event.type !== 'ACT') return;
      const { type: _, ...request } = event;
      const plan = planRequest(context.vocabulary, request, { posture: context.posture, activity: context.activity, queue: context.queue, yaw: context.stance.yaw });
      if (plan.kind === 'refuse') {
        enqueue.emit({ type: 'action.refused', action: request.name, reason: plan.reason, directiveId: request.directiveId });
        return;
      }
      if (plan.kind === 'replace') {
        // What waited in the queue will not run now: say so, never drop it silently.
        const why = request.name === 'stop' ? '"stop" cleared the queue' : `"${request.name.replace(/_/g, ' ')}" was asked for instead`;
        for (const dropped of context.queue) enqueue.emit({ type: 'action.refused', action: dropped.name, reason: why, directiveId: dropped.directiveId });
      }
      if (findAction(context.vocabulary, request.name)?.kind === 'control') {
        enqueue.emit({ type: 'action.started', action: request.name, directiveId: request.directiveId });
        enqueue.emit({ type: 'action.finished', action: request.name, directiveId: request.directiveId });
      }
      if (plan.kind === 'enqueue') {
        enqueue.assign({ queue: [...context.queue, ...plan.queue] });
        return;
      }
      enqueue.assign({ queue: plan.queue });
      if (context.activity.kind === 'gesture') enqueue.raise({ type: 'CANCEL' });
    }),
    'take next': assign(({ context }) => {
      const [request, ...queue] = context.queue;
      const action = findAction(context.vocabulary, request!.name)!;
      if (action.kind === 'posture') {
        const ms = (action as PostureAction).ms / (request!.speed ?? 1);
        return { queue, posture: action.to, activity: { kind: 'posture' as const, name: action.name, request, postureMs: ms } };
      }
      const gesture = loadGesture(action as GestureAction, request!, context.now());
      return { queue, activity: { kind: 'gesture' as const, name: action.name, request, gesture } };
    }),
    'finish activity': assign({ activity: { kind: 'idle' as const } }),
    'report started': emit(({ context }) => ({
      type: 'action.started' as const,
      action: context.activity.name!,
      directiveId: context.activity.request?.directiveId,
    })),
    'report finished': emit(({ context }) => ({
      type: 'action.finished' as const,
      action: context.activity.name!,
      directiveId: context.activity.request?.directiveId,
    })),
    'report interrupted': emit(({ context }) => ({
      type: 'action.finished' as const,
      action: context.activity.name!,
      directiveId: context.activity.request?.directiveId,
      interrupted: true,
    })),
    'write posture target': ({ context }) => context.targets.posture(context.posture, context.activity.postureMs ?? 900),
    'plan stance': assign({
      stance: ({ context }) => {
        const change = currentGesture(context).action.stance;
        return change ? nextStance(context.stance, change) : context.stance;
      },
    }),
    'write stance target': ({ context }) => {
      const g = currentGesture(context);
      if (g.action.stance) context.targets.stance(context.stance, g.ends[g.ends.length - 1]!);
    },
    'turn to show the face': raise(({ context }) => ({ type: 'ACT' as const, name: faceCameraAction(context.vocabulary)!.name, directiveId: 'face' })),
    'write keyframe target': ({ context }) => {
      const g = currentGesture(context);
      const key = g.keys[g.index]!;
      context.targets.gesture(key, key.ms / g.speed);
    },
    'advance keyframe': assign({
      activity: ({ context }) => ({ ...context.activity, gesture: { ...currentGesture(context), index: currentGesture(context).index + 1 } }),
    }),
    'start another pass': assign({ activity: ({ context }) => ({ ...context.activity, gesture: nextLoopPass(currentGesture(context)) }) }),
    'clear gesture target': ({ context }) => context.targets.gesture(null, 300),
    'show gesture face': ({ context }) => {
      const face = currentGesture(context).action.expression;
      if (face) context.targets.gestureFace(face, EXPRESSION_EASE_MS);
    },
    'hide gesture face': ({ context }) => context.targets.gestureFace(null, EXPRESSION_RELEASE_MS),
    'remember feeling': assign({
      feeling: ({ context, event }) =>
        event.type === 'FEEL' ? { name: event.name, intensity: event.intensity, holdMs: event.holdMs ?? context.expressionHoldMs } : context.feeling,
    }),
    'write feeling target': ({ context }) => context.targets.expression(context.feeling.name, context.feeling.intensity, EXPRESSION_EASE_MS),
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
    'time the speech': assign({
      speechMs: ({ context, event }) => {
        if (event.type !== 'SAY') return context.speechMs;
        if (event.voice) return Math.max(0, event.voice.startsAt - context.now()) + event.voice.durationMs;
        return Math.max(300, event.text.length * SPEECH_MS_PER_CHAR);
      },
    }),
    'write speech target': ({ context, event }) => {
      if (event.type === 'SAY') context.targets.speak(event.text, event.voice);
    },
    'stop speaking': ({ context }) => context.targets.speak(null),
    'close eyes': ({ context }) => context.targets.blink(true),
    'open eyes': ({ context }) => context.targets.blink(false),
    'remember gaze': assign({ gazeTarget: ({ context, event }) => (event.type === 'LOOK' ? event.target : context.gazeTarget) }),
    'aim gaze': ({ context }) => context.targets.gaze(context.gazeTarget),
    'look at the camera': assign({
      gazeTarget: ({ context }) => {
        context.targets.gaze('camera');
        return 'camera' as const;
      },
    }),
    'glance somewhere': ({ context }) => {
      const r = context.random();
      context.targets.gaze(r < 0.4 ? 'glance-left' : r < 0.8 ? 'glance-right' : 'glance-down');
    },
    'glance back': ({ context }) => context.targets.gaze(context.gazeTarget),
    'shift weight': ({ context }) => context.targets.weightShift(context.random() < 0.5 ? -1 : 1),
    'centre weight': ({ context }) => context.targets.weightShift(0),
    'fidget': raise(({ context }) => {
      const choices = context.fidgets ?? ['look_around', 'stretch'];
      return { type: 'ACT' as const, name: choices[Math.floor(context.random() * choices.length)]!, directiveId: 'fidget' };
    }),
  },
  delays: {
    'keyframe time': ({ context }) => {
      const g = context.activity.gesture;
      return g ? Math.max(0, g.startedAt + g.ends[g.index]! - context.now()) : 0;
    },
    'posture change time': ({ context }) => context.activity.postureMs ?? 900,
    'back turned wait': BACK_TURNED_MS,
    'expression hold': ({ context }) => context.feeling.holdMs,
    'speech length': ({ context }) => context.speechMs,
    'blink gap': ({ context }) => 2000 + context.random() * 4000,
    'blink length': BLINK_MS,
    'glance gap': ({ context }) => 4000 + context.random() * 6000,
    'glance length': ({ context }) => 600 + context.random() * 600,
    'gaze hold': GAZE_HOLD_MS,
    'weight shift gap': ({ context }) => 5000 + context.random() * 4000,
    'fidget delay': ({ context }) => FIDGET_AFTER_MS - FIDGET_JITTER_MS + context.random() * 2 * FIDGET_JITTER_MS,
  },
}).createMachine({
  id: 'persona',
  type: 'parallel',
  context: ({ input }) => ({
    ...input,
    random: mulberry32(input.seed), // seeded: idle timing replays
    activity: { kind: 'idle' },
    queue: [],
    posture: 'standing',
    stance: { yaw: 0, x: 0 },
    feeling: { name: input.baseline.expression, intensity: input.baseline.intensity, holdMs: 0 },
    gazeTarget: 'camera',
    speechMs: 0,
  }),
  states: {
    activity: {
      initial: 'idle',
      on: {
        ACT: { actions: 'plan request' },
        // A feeling asked for with her back turned: she turns round to show it.
        FEEL: { guard: 'faces away', actions: 'turn to show the face' },
      },
      states: {
        idle: {
          always: [
            { guard: 'next is a posture change', target: 'changingPosture', actions: 'take next' },
            { guard: 'next is a gesture', target: 'gesturing', actions: 'take next' },
          ],
          after: { 'back turned wait': { guard: 'faces away', actions: 'turn to show the face' } },
        },
        changingPosture: {
          entry: ['report started', 'write posture target'],
          after: { 'posture change time': { target: 'idle', actions: ['report finished', 'finish activity'] } },
        },
        gesturing: {
          entry: ['plan stance', 'write stance target', 'report started', 'show gesture face'],
          exit: ['hide gesture face', 'clear gesture target'],
          initial: 'keyframe',
          states: {
            keyframe: {
              entry: 'write keyframe target',
              after: {
                'keyframe time': [
                  { guard: 'has another keyframe', target: 'keyframe', reenter: true, actions: 'advance keyframe' },
                  { guard: 'loops', target: 'keyframe', reenter: true, actions: 'start another pass' },
                  { guard: 'in outro with keyframes left', target: 'keyframe', reenter: true, actions: 'advance keyframe' },
                  { target: '#persona.activity.idle', actions: ['report finished', 'finish activity'] },
                ],
              },
            },
          },
          on: { CANCEL: { target: 'idle', actions: ['report interrupted', 'finish activity'] } },
        },
      },
    },
    emotion: {
      initial: 'baseline',
      states: {
        baseline: { on: { FEEL: { guard: 'asks for a feeling', target: 'feeling', actions: 'remember feeling' } } },
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
    speech: {
      initial: 'silent',
      states: {
        silent: { on: { SAY: { target: 'speaking', actions: ['time the speech', 'write speech target'] } } },
        speaking: {
          exit: 'stop speaking',
          after: { 'speech length': 'silent' },
          on: {
            SAY: { target: 'speaking', reenter: true, actions: ['time the speech', 'write speech target'] },
            HUSH: 'silent',
          },
        },
      },
    },
    gaze: {
      initial: 'attentive',
      states: {
        attentive: {
          entry: 'look at the camera',
          initial: 'steady',
          states: {
            steady: { after: { 'glance gap': 'glancing' } },
            glancing: { entry: 'glance somewhere', exit: 'glance back', after: { 'glance length': 'steady' } },
          },
          on: { LOOK: { guard: ({ event }) => event.target !== 'camera' && event.target !== 'user', target: 'directed', actions: 'remember gaze' } },
        },
        directed: {
          entry: 'aim gaze',
          after: { 'gaze hold': 'attentive' },
          on: {
            LOOK: [
              { guard: 'asks to look at the camera', target: 'attentive' },
              { target: 'directed', reenter: true, actions: 'remember gaze' },
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
    life: {
      initial: 'alert',
      on: {
        // Any request resets the fidget timer by re-entering `alert`. (Not `reenter: true` here: on a
        // region of the parallel root that would re-enter every region and reset the posture.)
        ACT: { guard: ({ event }) => event.directiveId !== 'fidget', target: '.alert' },
        FEEL: { target: '.alert' },
        LOOK: { target: '.alert' },
        SAY: { target: '.alert' },
      },
      states: {
        alert: {
          initial: 'centred',
          after: { 'fidget delay': [{ guard: 'is idle', target: 'alert', reenter: true, actions: 'fidget' }, { target: 'alert', reenter: true }] },
          states: {
            centred: { after: { 'weight shift gap': 'shifted' } },
            shifted: { entry: 'shift weight', exit: 'centre weight', after: { 'weight shift gap': 'centred' } },
          },
        },
      },
    },
  },
});

export type BehaviourChart = typeof behaviourChart;
