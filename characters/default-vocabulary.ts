/**
 * The shared default vocabulary: 26 actions plus the `stop` and `idle` controls, 12 expressions,
 * the gaze targets, and the resting poses of each posture. Angles follow protocol/skeleton.ts:
 * pitch > 0 tips up-pointing bones forward and swings down-pointing bones back (raise an arm
 * forward with a negative pitch); roll > 0 lifts a limb outward; yaw > 0 turns to the character's left.
 */
import { GAZE_TARGETS } from '../protocol/directive.js';
import { HAND_SHAPES, type BodyPose } from '../protocol/skeleton.js';
import type { ActionDefinition, ExpressionDefinition, GestureAction, Keyframe, PostureName, Vocabulary } from './vocabulary.js';

const ARMS_AT_REST = {
  left_shoulder: [0.05, 0, 0.14],
  right_shoulder: [0.05, 0, 0.14],
  left_elbow: [-0.12, 0, 0],
  right_elbow: [-0.12, 0, 0],
} as const;

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

/** A gesture with the common defaults: any posture, interrupts, one pass. */
const gesture = (name: string, synonyms: readonly string[], parts: Partial<GestureAction>): GestureAction => ({
  kind: 'gesture',
  name,
  synonyms,
  intro: [],
  cycle: [],
  outro: [{ ms: 350, joints: {} }],
  defaultRepeat: 1,
  posture: 'any',
  whenWrongPosture: 'transition',
  interrupts: true,
  ...parts,
});

const hold = (ms: number, key: Keyframe): Keyframe => ({ ...key, ms });

/** The fist under the chin, the head tipped up and aside: the thinker. */
const HAND_TO_CHIN: Keyframe = {
  ms: 400,
  joints: { right_shoulder: [-0.2, 0.14, -0.47], right_elbow: [-2.2, -1.26, 0], right_wrist: [-0.46, 0, 0], head: [-0.12, 0, 0.1] },
  hands: { right: HAND_SHAPES.fist },
};
/** The open palm over the eyes, the head bowed into it. */
const HAND_ON_FACE: Keyframe = {
  ms: 350,
  joints: { right_shoulder: [-0.98, -0.72, -0.49], right_elbow: [-1.9, 0.32, 0], right_wrist: [0.12, 0, 0], head: [0.32, 0, 0], neck: [0.1, 0, 0] },
  hands: { right: HAND_SHAPES.open },
};
/** The open hand over the mouth, the head tipped back. */
const HAND_OVER_MOUTH = (head: number): Keyframe => ({
  ms: 400,
  joints: { right_shoulder: [-0.9, -0.2, -0.69], right_elbow: [-2.07, -0.32, 0], right_wrist: [0.08, 0, 0], head: [head, 0, 0.05] },
  hands: { right: HAND_SHAPES.open },
});
const HANDS_ON_FACE: Keyframe = {
  ms: 400,
  joints: {
    right_shoulder: [-0.7, 0, -0.3],
    right_elbow: [-2.45, 0, 0],
    left_shoulder: [-0.7, 0, -0.3],
    left_elbow: [-2.45, 0, 0],
    head: [0.35, 0, 0],
  },
  hands: { right: HAND_SHAPES.open, left: HAND_SHAPES.open },
};
/**
 * The forearms folded across the lower chest (each elbow's yaw swings its forearm across the body):
 * the left arm further forward, so it lies over the right one, its hand on the right upper arm and
 * the right fist tucked behind it.
 */
const ARMS_CROSSED: Keyframe = {
  ms: 450,
  joints: {
    left_shoulder: [-0.55, 0, 0.1],
    right_shoulder: [-0.3, 0, 0.1],
    left_elbow: [-1.8, -1.35, 0],
    right_elbow: [-1.75, -1.35, 0],
  },
  hands: { left: HAND_SHAPES.open, right: HAND_SHAPES.fist },
};
/** Both arms straight up, the hands meeting over the head, the body leaning to one side: a stretch, not a cheer. */
const ARMS_UP: Keyframe = {
  ms: 600,
  joints: { left_shoulder: [0, 0, 3.4], right_shoulder: [0, 0, 3.4], left_elbow: [0, 0, 0], right_elbow: [0, 0, 0], spine: [0, 0, 0.12], chest: [-0.1, 0, 0.08], head: [-0.2, 0, 0.1] },
  hands: { left: HAND_SHAPES.open, right: HAND_SHAPES.open },
};
/** A bow at the waist, turned a little so the bend shows, arms hanging, eyes down. */
const BOWED: Keyframe = {
  ms: 600,
  root: { yaw: 0.5 },
  joints: { spine: [0.6, 0, 0], chest: [0.35, 0, 0], head: [0.2, 0, 0], left_shoulder: [-0.85, 0, -0.15], right_shoulder: [-0.85, 0, -0.15], left_elbow: [-0.3, 0, 0], right_elbow: [-0.3, 0, 0] },
  hands: { left: HAND_SHAPES.open, right: HAND_SHAPES.open },
  face: { lidDroop: 0.8, glanceY: -1 },
};
const step = (side: 'left' | 'right', lift: boolean): Keyframe => ({
  ms: 200,
  joints: lift ? { [`${side}_hip`]: [-0.45, 0, 0.12], [`${side}_knee`]: [0.85, 0, 0] } : {},
});

const ACTIONS: ActionDefinition[] = [
  gesture('wave', ['wave', 'waves', 'waving', 'say hi', 'say hello', 'wave hello', 'wave goodbye', 'say bye', 'say goodbye', 'greet me', 'hello', 'hi there'], {
    expression: { name: 'happy', intensity: 0.6 },
    intro: [{ ms: 350, joints: { right_shoulder: [0, 0, 2.55], right_elbow: [0, 0, 0.45] }, hands: { right: HAND_SHAPES.open } }],
    cycle: [
      { ms: 240, joints: { right_shoulder: [0, 0, 2.55], right_elbow: [0, 0, -0.05] }, hands: { right: HAND_SHAPES.open } },
      { ms: 240, joints: { right_shoulder: [0, 0, 2.55], right_elbow: [0, 0, 0.6] }, hands: { right: HAND_SHAPES.open } },
    ],
    outro: [{ ms: 400, joints: {} }],
    defaultRepeat: 2,
  }),
  gesture('nod', ['nod', 'nods', 'nodding', 'nod your head', 'say yes', 'agree'], {
    cycle: [
      { ms: 200, joints: { head: [0.38, 0, 0], neck: [0.08, 0, 0] } },
      { ms: 200, joints: { head: [-0.06, 0, 0] } },
    ],
    outro: [{ ms: 200, joints: {} }],
  }),
  gesture('shake_head', ['shake your head', 'shake head', 'shakes head', 'say no', 'disagree', 'shake'], {
    cycle: [
      { ms: 180, joints: { head: [0.05, 0.45, 0] } },
      { ms: 180, joints: { head: [0.05, -0.45, 0] } },
    ],
    outro: [{ ms: 200, joints: {} }],
    defaultRepeat: 2,
  }),
  gesture('bow', ['bow', 'bows', 'take a bow', 'bow down', 'curtsy'], {
    posture: 'standing',
    intro: [BOWED],
    cycle: [hold(500, BOWED)],
    outro: [{ ms: 600, joints: {} }],
  }),
  { kind: 'posture', name: 'sit_down', to: 'sitting', ms: 900, synonyms: ['sit down', 'sit', 'take a seat', 'have a seat', 'sitting down', 'be seated', 'sits down'] },
  { kind: 'posture', name: 'stand_up', to: 'standing', ms: 900, synonyms: ['stand up', 'stand', 'get up', 'rise', 'on your feet', 'standing up', 'stands up'] },
  gesture('turn_around', ['turn around', 'turn round', 'spin around', 'face away', 'show me your back', 'about face'], {
    posture: 'standing',
    stance: { turnBy: Math.PI },
    intro: [{ ms: 450, joints: { left_hip: [0, 0, 0.08], right_hip: [-0.25, 0, 0.05], right_knee: [0.4, 0, 0] } }],
    outro: [{ ms: 450, joints: {} }],
  }),
  gesture('face_left', ['face left', 'turn left', 'turn to the left', 'look to your left side', 'turn to your left'], {
    posture: 'standing',
    stance: { faceYaw: -Math.PI / 2 },
    intro: [{ ms: 350, joints: { right_hip: [-0.2, 0, 0.05], right_knee: [0.35, 0, 0] } }],
    outro: [{ ms: 350, joints: {} }],
  }),
  gesture('face_right', ['face right', 'turn right', 'turn to the right', 'turn to your right'], {
    posture: 'standing',
    stance: { faceYaw: Math.PI / 2 },
    intro: [{ ms: 350, joints: { left_hip: [-0.2, 0, 0.05], left_knee: [0.35, 0, 0] } }],
    outro: [{ ms: 350, joints: {} }],
  }),
  gesture('face_camera', ['face the camera', 'face camera', 'face me', 'turn back', 'turn to me', 'face forward', 'turn towards me'], {
    stance: { faceYaw: 0 },
    intro: [{ ms: 350, joints: {} }],
    outro: [{ ms: 350, joints: {} }],
  }),
  gesture('point', ['point', 'points', 'point at something', 'point over there', 'point to the side', 'show me where'], {
    intro: [{ ms: 350, joints: { right_shoulder: [-0.2, 0, 1.45], right_elbow: [0, 0, 0.05], head: [0, -0.35, 0] }, hands: { right: HAND_SHAPES.point } }],
    cycle: [{ ms: 900, joints: { right_shoulder: [-0.2, 0, 1.5], right_elbow: [0, 0, 0.05], head: [0, -0.35, 0] }, hands: { right: HAND_SHAPES.point } }],
    outro: [{ ms: 400, joints: {} }],
  }),
  gesture('clap', ['clap', 'claps', 'clapping', 'applaud', 'clap your hands', 'give a round of applause'], {
    expression: { name: 'happy', intensity: 0.7 },
    intro: [{ ms: 300, joints: { left_shoulder: [-1.1, 0, 0.1], right_shoulder: [-1.1, 0, 0.1], left_elbow: [-0.9, 0, 0], right_elbow: [-0.9, 0, 0] }, hands: { left: HAND_SHAPES.open, right: HAND_SHAPES.open } }],
    cycle: [
      { ms: 150, joints: { left_shoulder: [-1.1, 0, -0.22], right_shoulder: [-1.1, 0, -0.22], left_elbow: [-0.9, 0, 0], right_elbow: [-0.9, 0, 0] }, hands: { left: HAND_SHAPES.open, right: HAND_SHAPES.open } },
      { ms: 150, joints: { left_shoulder: [-1.1, 0, 0.15], right_shoulder: [-1.1, 0, 0.15], left_elbow: [-0.9, 0, 0], right_elbow: [-0.9, 0, 0] }, hands: { left: HAND_SHAPES.open, right: HAND_SHAPES.open } },
    ],
    outro: [{ ms: 350, joints: {} }],
    defaultRepeat: 3,
  }),
  gesture('shrug', ['shrug', 'shrugs', 'shrug your shoulders', 'who knows', 'i dunno'], {
    expression: { name: 'confused', intensity: 0.6 },
    intro: [{ ms: 300, joints: { left_shoulder: [-0.2, 0, 0.5], right_shoulder: [-0.2, 0, 0.5], left_elbow: [-1.4, 0, 0.6], right_elbow: [-1.4, 0, 0.6], head: [0, 0, 0.15], chest: [-0.05, 0, 0] }, hands: { left: HAND_SHAPES.open, right: HAND_SHAPES.open } }],
    cycle: [hold(500, { ms: 0, joints: { left_shoulder: [-0.2, 0, 0.55], right_shoulder: [-0.2, 0, 0.55], left_elbow: [-1.4, 0, 0.65], right_elbow: [-1.4, 0, 0.65], head: [0, 0, 0.15] }, hands: { left: HAND_SHAPES.open, right: HAND_SHAPES.open } })],
    outro: [{ ms: 350, joints: {} }],
  }),
  gesture('think', ['think', 'thinks', 'thinking', 'think about it', 'ponder', 'hmm', 'let me think', 'consider it'], {
    expression: { name: 'thinking', intensity: 0.8 },
    intro: [HAND_TO_CHIN],
    cycle: [hold(1500, HAND_TO_CHIN)],
    outro: [{ ms: 400, joints: {} }],
  }),
  gesture('cross_arms', ['cross your arms', 'cross arms', 'fold your arms', 'arms crossed', 'crosses arms'], {
    intro: [ARMS_CROSSED],
    cycle: [hold(1500, ARMS_CROSSED)],
    outro: [{ ms: 450, joints: {} }],
  }),
  gesture('thumbs_up', ['thumbs up', 'thumb up', 'give me a thumbs up', 'approve', 'good job', 'like it'], {
    expression: { name: 'happy', intensity: 0.7 },
    intro: [{ ms: 300, joints: { right_shoulder: [-0.9, 0, 0.25], right_elbow: [-1.25, 0, 0] }, hands: { right: HAND_SHAPES.thumbs_up } }],
    cycle: [{ ms: 900, joints: { right_shoulder: [-0.95, 0, 0.25], right_elbow: [-1.3, 0, 0] }, hands: { right: HAND_SHAPES.thumbs_up } }],
    outro: [{ ms: 350, joints: {} }],
  }),
  gesture('facepalm', ['facepalm', 'face palm', 'palm your face', 'cover your face', 'oh no'], {
    expression: { name: 'embarrassed', intensity: 0.8 },
    intro: [HAND_ON_FACE],
    cycle: [hold(1200, HAND_ON_FACE)],
    outro: [{ ms: 400, joints: {} }],
  }),
  gesture('jump', ['jump', 'jumps', 'jumping', 'hop', 'jump up', 'leap'], {
    posture: 'standing',
    expression: { name: 'happy', intensity: 0.5 },
    intro: [{ ms: 250, root: { y: -0.1 }, joints: { left_hip: [-0.6, 0, 0.05], right_hip: [-0.6, 0, 0.05], left_knee: [0.95, 0, 0], right_knee: [0.95, 0, 0], left_ankle: [-0.35, 0, 0], right_ankle: [-0.35, 0, 0], spine: [0.2, 0, 0], left_shoulder: [0.5, 0, 0.15], right_shoulder: [0.5, 0, 0.15] } }],
    cycle: [
      { ms: 220, root: { y: 0.28 }, joints: { left_shoulder: [-0.2, 0, 2.4], right_shoulder: [-0.2, 0, 2.4], left_ankle: [0.3, 0, 0], right_ankle: [0.3, 0, 0] } },
      { ms: 220, root: { y: 0 }, joints: { left_shoulder: [0, 0, 0.6], right_shoulder: [0, 0, 0.6] } },
    ],
    outro: [
      { ms: 150, root: { y: -0.06 }, joints: { left_hip: [-0.4, 0, 0.05], right_hip: [-0.4, 0, 0.05], left_knee: [0.6, 0, 0], right_knee: [0.6, 0, 0], left_ankle: [-0.2, 0, 0], right_ankle: [-0.2, 0, 0] } },
      { ms: 250, joints: {} },
    ],
  }),
  gesture('dance', ['dance', 'dances', 'dancing', 'bust a move', 'show me your moves', 'boogie', 'party'], {
    posture: 'standing',
    loop: true,
    defaultRepeat: 4,
    expression: { name: 'happy', intensity: 0.8 },
    cycle: [
      { ms: 320, root: { y: -0.04 }, joints: { spine: [0, 0, 0.14], head: [0, 0, -0.12], left_shoulder: [0, 0, 1.3], right_shoulder: [0, 0, 0.4], left_elbow: [0, 0, 1.0], right_elbow: [-1.2, 0, 0], left_hip: [-0.25, 0, 0.05], left_knee: [0.45, 0, 0], right_hip: [-0.25, 0, 0.05], right_knee: [0.45, 0, 0] } },
      { ms: 320, root: { y: -0.04 }, joints: { spine: [0, 0, -0.14], head: [0, 0, 0.12], right_shoulder: [0, 0, 1.3], left_shoulder: [0, 0, 0.4], right_elbow: [0, 0, 1.0], left_elbow: [-1.2, 0, 0], left_hip: [-0.25, 0, 0.05], left_knee: [0.45, 0, 0], right_hip: [-0.25, 0, 0.05], right_knee: [0.45, 0, 0] } },
    ],
    outro: [{ ms: 350, joints: {} }],
  }),
  gesture('step_left', ['step left', 'step to the left', 'move left', 'scoot left', 'go left'], {
    posture: 'standing',
    whenWrongPosture: 'refuse',
    interrupts: false,
    stance: { moveX: -0.22 },
    intro: [step('right', true), step('right', false), step('left', true)],
    outro: [step('left', false)],
  }),
  gesture('step_right', ['step right', 'step to the right', 'move right', 'scoot right', 'go right'], {
    posture: 'standing',
    whenWrongPosture: 'refuse',
    interrupts: false,
    stance: { moveX: 0.22 },
    intro: [step('left', true), step('left', false), step('right', true)],
    outro: [step('right', false)],
  }),
  gesture('stretch', ['stretch', 'stretches', 'stretching', 'stretch your arms', 'reach up', 'reach for the sky'], {
    expression: { name: 'relaxed', intensity: 0.7 },
    intro: [ARMS_UP],
    cycle: [hold(900, { ...ARMS_UP, face: { lidDroop: 0.6, oh: 0.5 } })],
    outro: [{ ms: 600, joints: {} }],
  }),
  gesture('yawn', ['yawn', 'yawns', 'yawning', 'act tired', 'be tired'], {
    expression: { name: 'sleepy', intensity: 0.9 },
    intro: [{ ...HAND_OVER_MOUTH(-0.25), face: { oh: 0.9 } }],
    cycle: [{ ...HAND_OVER_MOUTH(-0.28), ms: 1000, face: { oh: 1 } }],
    outro: [{ ms: 450, joints: {} }],
  }),
  gesture('laugh', ['laugh', 'laughs', 'laughing', 'lol', 'haha', 'crack up', 'giggle'], {
    expression: { name: 'happy', intensity: 1 },
    cycle: [
      { ms: 150, joints: { chest: [0.12, 0, 0], head: [-0.18, 0, 0.05] }, face: { aa: 0.7 } },
      { ms: 150, joints: { chest: [-0.04, 0, 0], head: [0.05, 0, 0.05] }, face: { aa: 0.4 } },
    ],
    outro: [{ ms: 300, joints: {} }],
    defaultRepeat: 4,
  }),
  gesture('cry', ['cry', 'cries', 'crying', 'weep', 'sob', 'burst into tears', 'shed a tear'], {
    expression: { name: 'sad', intensity: 1 },
    intro: [HANDS_ON_FACE],
    cycle: [
      { ...HANDS_ON_FACE, ms: 300, joints: { ...HANDS_ON_FACE.joints, chest: [0.1, 0, 0] } },
      { ...HANDS_ON_FACE, ms: 300, joints: { ...HANDS_ON_FACE.joints, chest: [0.02, 0, 0] } },
    ],
    outro: [{ ms: 500, joints: {} }],
    defaultRepeat: 3,
  }),
  gesture('look_around', ['look around', 'looks around', 'look about', 'glance around', 'scan the room', 'look everywhere'], {
    intro: [{ ms: 500, joints: { head: [0, 0.6, 0], neck: [0, 0.15, 0] }, face: { lookX: 0.6 } }],
    cycle: [
      hold(300, { ms: 0, joints: { head: [0, 0.6, 0], neck: [0, 0.15, 0] }, face: { lookX: 0.6 } }),
      { ms: 700, joints: { head: [0, -0.6, 0], neck: [0, -0.15, 0] }, face: { lookX: -0.6 } },
      hold(300, { ms: 0, joints: { head: [0, -0.6, 0], neck: [0, -0.15, 0] }, face: { lookX: -0.6 } }),
    ],
    outro: [{ ms: 400, joints: {} }],
  }),
  { kind: 'control', name: 'stop', synonyms: ['stop', 'halt', 'freeze', 'cut it out', 'enough', 'cancel that', 'stop it', 'quit it'] },
  { kind: 'control', name: 'idle', synonyms: ['relax', 'at ease', 'rest', 'go idle', 'stand still', 'be still', 'chill'] },
];

const EXPRESSIONS: ExpressionDefinition[] = [
  { name: 'neutral', synonyms: ['neutral', 'normal', 'calm', 'serious', 'straight face', 'expressionless', 'blank'], channels: {} },
  { name: 'happy', synonyms: ['happy', 'glad', 'joyful', 'cheerful', 'smile', 'smiling', 'pleased', 'delighted', 'excited', 'thrilled'], channels: { happy: 1 }, body: { head: [0, 0, -0.07] } },
  { name: 'sad', synonyms: ['sad', 'unhappy', 'upset', 'feeling down', 'gloomy', 'miserable', 'depressed', 'sorrowful', 'heartbroken'], channels: { sad: 1, tear: 0.6, glanceY: -0.45 }, body: { head: [0.22, 0, 0.04], spine: [0.06, 0, 0] } },
  { name: 'angry', synonyms: ['angry', 'mad', 'furious', 'annoyed', 'irritated', 'cross', 'grumpy', 'frown', 'frowning'], channels: { angry: 1, squint: 0.2 }, body: { head: [0.1, 0, 0], chest: [0.04, 0, 0] } },
  { name: 'surprised', synonyms: ['surprised', 'shocked', 'amazed', 'astonished', 'startled', 'stunned', 'wow'], channels: { surprised: 1, browRaise: 0.6 }, body: { head: [-0.1, 0, 0], chest: [-0.05, 0, 0] } },
  { name: 'relaxed', synonyms: ['relaxed', 'chilled', 'at peace', 'content', 'serene', 'mellow', 'laid back'], channels: { relaxed: 1 }, body: { head: [0.02, 0, 0.09] } },
  { name: 'confused', synonyms: ['confused', 'puzzled', 'baffled', 'perplexed', 'lost', 'bewildered'], channels: { browTilt: 1, mouthWave: 0.7, mouthSide: 0.35, sweat: 0.35 }, body: { head: [0, 0, 0.2] } },
  { name: 'embarrassed', synonyms: ['embarrassed', 'shy', 'bashful', 'awkward', 'blushing', 'flustered'], channels: { blush: 1, sweat: 0.8, glanceX: 0.75, glanceY: -0.35, mouthWave: 0.8, happy: 0.25, sad: 0.15 }, body: { head: [0.12, 0.14, 0] } },
  { name: 'scared', synonyms: ['scared', 'afraid', 'frightened', 'terrified', 'nervous', 'anxious', 'fearful'], channels: { fear: 1, sweat: 0.6 }, body: { head: [0.06, 0, 0], neck: [-0.06, 0, 0], chest: [0.1, 0, 0] } },
  { name: 'thinking', synonyms: ['thoughtful', 'pensive', 'curious', 'contemplative', 'focused'], channels: { glanceX: 0.7, glanceY: 0.8, mouthSide: 1, browTilt: 0.35 }, body: { head: [-0.06, 0, -0.12] } },
  { name: 'disgusted', synonyms: ['disgusted', 'grossed out', 'repulsed', 'revolted', 'yuck', 'eww'], channels: { disgust: 1 }, body: { head: [-0.05, -0.14, 0] } },
  { name: 'sleepy', synonyms: ['sleepy', 'tired', 'drowsy', 'exhausted', 'weary', 'yawny'], channels: { lidDroop: 1, oh: 0.55, sad: 0.1 }, body: { head: [0.12, 0, 0.15] } },
];

export const DEFAULT_VOCABULARY: Vocabulary = {
  actions: ACTIONS,
  expressions: EXPRESSIONS,
  gaze: GAZE_TARGETS,
  postures: POSTURES,
};
