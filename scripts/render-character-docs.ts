/**
 * `npm run docs:characters`: renders every shipped character (views, expressions, sitting, hands)
 * and one control image to docs/characters/*.png, plus a contact sheet per character, for
 * docs/characters.md. Uses the real addon; run `npm run build:native` first.
 * Options: --out DIR (default docs/characters), --size N (default 384), --only ID.
 */
import { poseConditioning as conditioningOf } from '../native/pose-conditioning.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseArgs } from 'node:util';
import path from 'node:path';
import { PNG } from 'pngjs';
import type { ExpressionChannel } from '../protocol/conditioning.js';
import { HAND_SHAPES, type BodyPose, type HandShape } from '../protocol/skeleton.js';
import { CHARACTERS } from '../characters/index.js';
import { POSTURES } from '../characters/vocabulary.js';
import { ControlSource, PuppetSource, type FrameSource, type Shot } from '../native/index.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, size: { type: 'string' }, only: { type: 'string' } } });
const OUT = values.out ?? 'docs/characters';
const SIZE = Number(values.size ?? 384);

const RELAXED = { curl: 0.3, point: 0, thumb: 0 };
/** A conditioning vector for a body pose and a face, hands relaxed unless given. */
export const poseConditioning = (pose: BodyPose, face: Parameters<typeof conditioningOf>[1] = {}, hands: Parameters<typeof conditioningOf>[2] = {}) =>
  conditioningOf(pose, face, { left: hands.left ?? RELAXED, right: hands.right ?? RELAXED });

const standing = POSTURES.standing;
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
  { name: 'happy', pose: standing, face: { happy: 1 }, shot: 'upper_body' },
  { name: 'sad', pose: standing, face: { sad: 1, tear: 0.8 }, shot: 'upper_body' },
  { name: 'surprised', pose: standing, face: { surprised: 1, browRaise: 0.5 }, shot: 'upper_body' },
  { name: 'angry', pose: standing, face: { angry: 1, squint: 0.4 }, shot: 'upper_body' },
  { name: 'sitting', pose: POSTURES.sitting, face: { relaxed: 0.6 } },
  {
    name: 'hands',
    pose: { joints: { ...standing.joints, right_shoulder: [0, 0, 2.3], right_elbow: [0, 0, 0.5], left_shoulder: [0, 0, 0.35], left_elbow: [0, 0, 1.3] } },
    face: { happy: 0.6, blush: 0.6, sweat: 0.7, aa: 0.5 },
    hands: { right: HAND_SHAPES.point, left: HAND_SHAPES.thumbs_up },
  },
];

const savePng = async (file: string, width: number, height: number, rgba: Uint8Array) => {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  await writeFile(file, PNG.sync.write(png));
};

const renderTo = async (source: FrameSource, conditioning: Float32Array, file: string) => {
  const pixels = new Uint8Array(source.width * source.height * 4);
  await source.fill(conditioning, pixels);
  await savePng(file, source.width, source.height, pixels);
};

const run = promisify(execFile);

const main = async () => {
  await mkdir(OUT, { recursive: true });
  for (const character of CHARACTERS) {
    if (values.only && character.id !== values.only) continue;
    const files: string[] = [];
    for (const shot of SHOTS) {
      const source = new PuppetSource(SIZE, SIZE, { shot: shot.shot });
      source.configure(character.look);
      const file = path.join(OUT, `${character.id}-${shot.name}.png`);
      await renderTo(source, poseConditioning(shot.pose, shot.face, shot.hands), file);
      files.push(file);
      source.dispose();
    }
    const control = new ControlSource(SIZE, SIZE);
    control.configure(character.look);
    const controlFile = path.join(OUT, `${character.id}-control.png`);
    await renderTo(control, poseConditioning(SHOTS[9]!.pose), controlFile);
    control.dispose();
    // A contact sheet on a light backdrop, labelled, for people to look at in one go.
    const sheet = path.join(OUT, `${character.id}-sheet.png`);
    const labelled = [...files, controlFile].flatMap((f) => ['-label', path.basename(f, '.png').replace(`${character.id}-`, ''), f]);
    await run('montage', [...labelled, '-tile', '6x', '-geometry', `${SIZE / 2}x${SIZE / 2}+4+4`, '-background', '#e8e4f0', sheet]);
    console.log(`wrote ${files.length + 2} images for ${character.id}`);
  }
};

await main();
