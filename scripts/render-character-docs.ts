/**
 * `npm run docs:characters`: renders every shipped character (views, expressions, sitting, hands)
 * and one control image to docs/characters/*.png, plus a contact sheet per character, for
 * docs/characters.md. Uses the real addon; run `npm run build:native` first.
 * Options: --out DIR (default docs/characters), --size N (default 384), --only ID.
 */
import { poseConditioning as conditioningOf } from '../native/pose-conditioning.js';
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import path from 'node:path';
import type { ExpressionChannel } from '../protocol/conditioning.js';
import { HAND_SHAPES, type BodyPose, type HandShape } from '../protocol/skeleton.js';
import { CHARACTERS } from '../characters/index.js';
import { POSTURES } from '../characters/vocabulary.js';
import { DEFAULT_VOCABULARY } from '../characters/default-vocabulary.js';
import { ControlSource, PuppetSource, type FrameSource, type Shot } from '../native/index.js';
import { saveContactSheet, savePng, type Frame } from './render-sheet.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, size: { type: 'string' }, only: { type: 'string' } } });
const OUT = values.out ?? 'docs/characters';
const SIZE = Number(values.size ?? 384);

const RELAXED = { curl: 0.3, point: 0, thumb: 0 };
/** A conditioning vector for a body pose and a face, hands relaxed unless given. */
export const poseConditioning = (pose: BodyPose, face: Parameters<typeof conditioningOf>[1] = {}, hands: Parameters<typeof conditioningOf>[2] = {}) =>
  conditioningOf(pose, face, { left: hands.left ?? RELAXED, right: hands.right ?? RELAXED });

const standing = POSTURES.standing;
/** An expression's channels as the shared vocabulary defines it (all shipped characters use it). */
const recipe = (name: string) => {
  const found = DEFAULT_VOCABULARY.expressions.find((e) => e.name === name);
  if (!found) throw new Error(`no expression "${name}" in the default vocabulary`);
  return found.channels;
};
const turned = (yaw: number): BodyPose => ({ ...standing, rootYaw: yaw });

/** What each picture shows; expressions are framed from the hips up so the face reads. */
const SHOTS: {
  name: string;
  pose: BodyPose;
  face?: Partial<Record<ExpressionChannel, number>>;
  hands?: { left?: HandShape; right?: HandShape };
  shot?: Shot;
}[] = [
  { name: 'front', pose: standing },
  { name: 'three-quarter', pose: turned(0.7) },
  { name: 'side', pose: turned(Math.PI / 2) },
  { name: 'back', pose: turned(Math.PI) },
  { name: 'happy', pose: standing, face: recipe('happy'), shot: 'upper_body' },
  { name: 'sad', pose: standing, face: recipe('sad'), shot: 'upper_body' },
  { name: 'surprised', pose: standing, face: recipe('surprised'), shot: 'upper_body' },
  { name: 'angry', pose: standing, face: recipe('angry'), shot: 'upper_body' },
  { name: 'sitting', pose: POSTURES.sitting, face: { relaxed: 0.6 } },
  {
    name: 'hands',
    pose: { joints: { ...standing.joints, right_shoulder: [0, 0, 2.3], right_elbow: [0, 0, 0.5], left_shoulder: [0, 0, 0.35], left_elbow: [0, 0, 1.3] } },
    face: { happy: 0.6, blush: 0.6, sweat: 0.7, aa: 0.5 },
    hands: { right: HAND_SHAPES.point, left: HAND_SHAPES.thumbs_up },
  },
];

const renderTo = async (source: FrameSource, conditioning: Float32Array, file: string): Promise<Frame> => {
  const frame = { width: source.width, height: source.height, rgba: new Uint8Array(source.width * source.height * 4) };
  await source.fill(conditioning, frame.rgba);
  await savePng(file, frame);
  return frame;
};

const main = async () => {
  await mkdir(OUT, { recursive: true });
  // Characters that reuse another's look (sleepy-aria) are not identities of their own.
  const identities = CHARACTERS.filter((c, i) => CHARACTERS.findIndex((o) => o.look === c.look) === i);
  for (const character of identities) {
    if (values.only && character.id !== values.only) continue;
    const tiles: { label: string; frame: Frame }[] = [];
    for (const shot of SHOTS) {
      const source = new PuppetSource(SIZE, SIZE, { shot: shot.shot });
      source.configure(character.look);
      const file = path.join(OUT, `${character.id}-${shot.name}.png`);
      tiles.push({ label: shot.name, frame: await renderTo(source, poseConditioning(shot.pose, shot.face, shot.hands), file) });
      source.dispose();
    }
    const control = new ControlSource(SIZE, SIZE);
    control.configure(character.look);
    tiles.push({ label: 'control', frame: await renderTo(control, poseConditioning(SHOTS[9]!.pose), path.join(OUT, `${character.id}-control.png`)) });
    control.dispose();
    // A contact sheet on a light backdrop, labelled, for people to look at in one go.
    await saveContactSheet(path.join(OUT, `${character.id}-sheet.png`), tiles, { columns: 6, cell: SIZE / 2 });
    console.log(`wrote ${tiles.length + 1} images for ${character.id}`);
  }
};

await main();
