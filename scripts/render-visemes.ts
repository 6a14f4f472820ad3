/**
 * `npx tsx scripts/render-visemes.ts`: the voice's mouth shapes (`rest aa ih ou ee oh mbp fv`) as the
 * engine shows them while speaking — a spoken line whose timeline holds one viseme, played on a
 * simulated clock through the speech layer and drawn by the puppet source — for every shipped identity:
 *   - a labelled sheet per character, <docs>/<id>-visemes.png (face crops, enlarged);
 *   - a blind-review set: the crops shuffled into unlabeled <review>/<id>/NN.png, the answer key apart
 *     in <review>/keys/<id>.json, the names to choose from in <review>/vocabulary.txt.
 * Options: --docs DIR (default docs/characters), --review DIR (default scratch/viseme-review),
 * --seed N (default: random, printed), --only ID. Score answers with --score ID=FILE ("NN name" lines).
 * Uses the real addon; run `npm run build:native` first.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PersonaSession } from '../app/session.js';
import { CHARACTERS } from '../characters/index.js';
import type { CharacterDefinition } from '../characters/types.js';
import { SimulatedClock } from '../engine/clock.js';
import { CONDITIONING, channelIndex } from '../protocol/conditioning.js';
import { VISEMES, type Viseme } from '../protocol/voice.js';
import { packConditioning } from '../systems/frame/pack-conditioning.js';
import { PuppetSource } from '../native/index.js';
import { saveContactSheet, writeReviewSet, type Frame } from './render-sheet.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string' },
    review: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    score: { type: 'string', multiple: true },
  },
});
const DOCS = values.docs ?? 'docs/characters';
const REVIEW = values.review ?? 'scratch/viseme-review';
const SEED = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 1e9);
/** The head shot is drawn at this size; the crop around the lower face is enlarged to CROP. */
const SIZE = 512;
const CROP = 320;

const CLEARED = (['blinkLeft', 'blinkRight', 'lookX', 'lookY'] as const).map((c) => CONDITIONING.expressionOffset + channelIndex(c));

/** The conditioning 300 ms into a line whose mouth holds `viseme` (weight 1): the shape fully formed. */
const speaking = (character: CharacterDefinition, viseme: Viseme): Float32Array => {
  const session = new PersonaSession({ clock: new SimulatedClock(), source: null, character });
  session.step();
  session.say('…', { mouth: [{ atMs: 0, viseme, weight: viseme === 'rest' ? 0 : 1 }], startsAt: session.now, durationMs: 10_000 });
  const ticks = Math.ceil(300 / session.world.time.dt);
  for (let t = 0; t < ticks; t++) session.step();
  const c = packConditioning(session.world.components, session.eid, session.world.time.now, new Float32Array(CONDITIONING.length));
  for (const i of CLEARED) c[i] = 0;
  session.stop();
  return c;
};

/** The head shot, cropped to the lower face (nose to chin) and enlarged. */
const faceCrop = async (character: CharacterDefinition, conditioning: Float32Array): Promise<Frame> => {
  const source = new PuppetSource(SIZE, SIZE, { shot: 'head' });
  source.configure(character.look);
  const rgba = new Uint8Array(SIZE * SIZE * 4);
  await source.fill(conditioning, rgba);
  source.dispose();
  // The mouth of a head shot sits at ~72 % of its height: a box of 45 % of the frame, nose to chin.
  const box = Math.round(SIZE * 0.45);
  const x0 = Math.round(SIZE / 2 - box / 2);
  const y0 = Math.round(SIZE * 0.72 - box * 0.5);
  const out = new Uint8Array(CROP * CROP * 4);
  for (let y = 0; y < CROP; y++)
    for (let x = 0; x < CROP; x++) {
      const sx = Math.min(SIZE - 1, x0 + Math.floor((x * box) / CROP));
      const sy = Math.min(SIZE - 1, y0 + Math.floor((y * box) / CROP));
      out.set(rgba.subarray((sy * SIZE + sx) * 4, (sy * SIZE + sx) * 4 + 4), (y * CROP + x) * 4);
    }
  return { width: CROP, height: CROP, rgba: out };
};

const main = async () => {
  const identities = CHARACTERS.filter((c, i) => CHARACTERS.findIndex((o) => o.look === c.look) === i);
  await mkdir(DOCS, { recursive: true });
  await mkdir(REVIEW, { recursive: true });
  for (const [n, character] of identities.entries()) {
    if (values.only && character.id !== values.only) continue;
    const tiles = await Promise.all(VISEMES.map(async (v) => ({ label: v, frame: await faceCrop(character, speaking(character, v)) })));
    await saveContactSheet(path.join(DOCS, `${character.id}-visemes.png`), tiles, { columns: 4, cell: 200, title: `${character.name}: mouth shapes` });
    const dir = await writeReviewSet(REVIEW, character.id, tiles.map((t) => ({ frame: t.frame, key: t.label })), SEED + n);
    console.log(`${character.id}: ${tiles.length} mouth shapes in ${DOCS}/${character.id}-visemes.png; review set in ${dir} (seed ${SEED + n})`);
  }
  await writeFile(path.join(REVIEW, 'vocabulary.txt'), `${VISEMES.join(', ')}\n`);
};

/** Scores "NN name" answer lines against a character's key. */
const score = async (id: string, file: string) => {
  const { key } = JSON.parse(await readFile(path.join(REVIEW, 'keys', `${id}.json`), 'utf8')) as { key: Record<string, string> };
  const answers = new Map<string, string>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const m = /^\s*(\d+)(?:\.png)?\s*[:.)-]?\s*([a-z]+)\s*$/i.exec(line);
    if (m) answers.set(`${m[1]!.padStart(2, '0')}.png`, m[2]!.toLowerCase());
  }
  const misses = Object.entries(key).filter(([frame, truth]) => answers.get(frame) !== truth);
  const right = Object.keys(key).length - misses.length;
  console.log(`${id}: ${right}/${Object.keys(key).length}${misses.length ? `; missed ${misses.map(([f, t]) => `${f}: ${t} named ${answers.get(f) ?? '(nothing)'}`).join('; ')}` : ''}`);
};

if (values.score) {
  for (const pair of values.score) {
    const [id, file] = pair.split('=');
    if (!id || !file) throw new Error(`--score wants ID=FILE, got "${pair}"`);
    await score(id, file);
  }
} else {
  await main();
}
