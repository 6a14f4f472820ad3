/**
 * The shared action and expression vocabulary: canonical snake_case names, their keyframed pose
 * tracks, the posture they need, and the words the embedded interpreter knows them by.
 */
import type { BodyPose, JointRotations } from '../protocol/skeleton.js';
import { GAZE_TARGETS } from '../protocol/directive.js';

export type PostureName = 'standing' | 'sitting';

/** One keyframe: joints the gesture moves (others follow the posture) and how long the move takes. */
export interface Keyframe {
  ms: number;
  joints: JointRotations;
}

interface ActionBase {
  name: string;
  /** Words and phrases that ask for it (lowercase). */
  synonyms: readonly string[];
  /** Face shown while it plays, if any. */
  expression?: { name: string; intensity: number };
}

/** A gesture plays on top of the posture: intro, `repeat` × cycle, outro. */
export interface GestureAction extends ActionBase {
  kind: 'gesture';
  intro: readonly Keyframe[];
  cycle: readonly Keyframe[];
  outro: readonly Keyframe[];
  defaultRepeat: number;
}

/** A posture change moves the whole body to another resting pose. */
export interface PostureAction extends ActionBase {
  kind: 'posture';
  to: PostureName;
  ms: number;
}

export type ActionDefinition = GestureAction | PostureAction;

export interface ExpressionDefinition {
  name: string;
  synonyms: readonly string[];
}

export interface Vocabulary {
  actions: readonly ActionDefinition[];
  expressions: readonly ExpressionDefinition[];
  gaze: readonly string[];
  postures: Record<PostureName, BodyPose>;
}

const ARMS_AT_REST: JointRotations = {
  left_shoulder: [0.05, 0, 0.14],
  right_shoulder: [0.05, 0, 0.14],
  left_elbow: [-0.12, 0, 0],
  right_elbow: [-0.12, 0, 0],
};

export const POSTURES: Record<PostureName, BodyPose> = {
  standing: { joints: { ...ARMS_AT_REST, left_hip: [0, 0, 0.03], right_hip: [0, 0, 0.03] } },
  sitting: {
    rootY: -0.3,
    joints: {
      spine: [0.08, 0, 0],
      left_shoulder: [-0.35, 0, 0.12],
      right_shoulder: [-0.35, 0, 0.12],
      left_elbow: [-0.7, 0, 0],
      right_elbow: [-0.7, 0, 0],
      left_hip: [-1.35, 0, 0.12],
      right_hip: [-1.35, 0, 0.12],
      left_knee: [1.45, 0, 0],
      right_knee: [1.45, 0, 0],
    },
  },
};

export const DEFAULT_VOCABULARY: Vocabulary = {
  actions: [
    {
      kind: 'gesture',
      name: 'wave',
      synonyms: ['wave', 'waves', 'waving', 'say hi', 'say hello', 'wave hello', 'wave goodbye', 'say bye', 'greet me'],
      expression: { name: 'happy', intensity: 0.6 },
      intro: [{ ms: 350, joints: { right_shoulder: [0, 0, 2.55], right_elbow: [0, 0, 0.45] } }],
      cycle: [
        { ms: 240, joints: { right_shoulder: [0, 0, 2.55], right_elbow: [0, 0, -0.05] } },
        { ms: 240, joints: { right_shoulder: [0, 0, 2.55], right_elbow: [0, 0, 0.6] } },
      ],
      outro: [{ ms: 400, joints: {} }],
      defaultRepeat: 2,
    },
    {
      kind: 'gesture',
      name: 'nod',
      synonyms: ['nod', 'nods', 'nodding', 'nod your head', 'say yes'],
      intro: [],
      cycle: [
        { ms: 200, joints: { head: [0.38, 0, 0], neck: [0.08, 0, 0] } },
        { ms: 200, joints: { head: [-0.06, 0, 0] } },
      ],
      outro: [{ ms: 200, joints: {} }],
      defaultRepeat: 1,
    },
    {
      kind: 'posture',
      name: 'sit_down',
      to: 'sitting',
      ms: 900,
      synonyms: ['sit down', 'sit', 'take a seat', 'have a seat', 'sitting down', 'be seated'],
    },
    {
      kind: 'posture',
      name: 'stand_up',
      to: 'standing',
      ms: 900,
      synonyms: ['stand up', 'stand', 'get up', 'rise', 'on your feet', 'standing up'],
    },
  ],
  expressions: [
    { name: 'neutral', synonyms: ['neutral', 'normal', 'calm', 'serious', 'straight face', 'expressionless'] },
    { name: 'happy', synonyms: ['happy', 'glad', 'joyful', 'cheerful', 'smile', 'smiling', 'pleased', 'delighted'] },
    { name: 'sad', synonyms: ['sad', 'unhappy', 'upset', 'feeling down', 'gloomy', 'miserable', 'depressed', 'sorrowful'] },
    { name: 'surprised', synonyms: ['surprised', 'shocked', 'amazed', 'astonished', 'startled', 'stunned'] },
  ],
  gaze: GAZE_TARGETS,
  postures: POSTURES,
};

export const actionNames = (v: Vocabulary): string[] => v.actions.map((a) => a.name);
export const expressionNames = (v: Vocabulary): string[] => v.expressions.map((e) => e.name);

export const findAction = (v: Vocabulary, name: string): ActionDefinition | undefined => v.actions.find((a) => a.name === name);

/** Keyframes a gesture plays for `repeat` cycles. */
export const gestureKeyframes = (action: GestureAction, repeat = action.defaultRepeat): Keyframe[] => [
  ...action.intro,
  ...Array.from({ length: Math.max(1, repeat) }, () => action.cycle).flat(),
  ...action.outro,
];

/** How long a gesture plays, ms, at a speed multiplier. */
export const gestureDuration = (action: GestureAction, repeat = action.defaultRepeat, speed = 1): number =>
  gestureKeyframes(action, repeat).reduce((sum, k) => sum + k.ms / speed, 0);
