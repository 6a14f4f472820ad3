/**
 * `npm run docs:expressions`: the twelve expressions (head shot) and the actions caught mid-motion
 * (full shot) of every shipped character, played by the real engine on a simulated clock and drawn
 * by the puppet source, as
 *   - a labelled contact sheet per character for docs/characters.md (<docs>/<id>-expressions.png,
 *     <docs>/<id>-actions.png),
 *   - a blind-review set per character: the twelve expressions and ten actions shuffled into
 *     unlabeled files <review>/<id>/NN.png, with the answer key apart in <review>/keys/<id>.json and
 *     the names to choose from in <review>/vocabulary.txt.
 * Blinks and idle glances are cleared in the captured frames, so no frame catches a blink.
 * Options: --docs DIR (default docs/characters), --review DIR (default scratch/blind-review),
 * --size N (default 320), --seed N (default: random, printed), --only ID.
 * Scoring a reviewer's answers instead: --score ID=FILE (repeatable), FILE holding one "NN name" per
 * line (e.g. "07 surprised"), scored against <review>/keys/ID.json; prints the score per kind.
 * Uses the real addon; run `npm run build:native` first.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PersonaSession } from '../app/session.js';
import { CHARACTERS } from '../characters/index.js';
import type { ActionDefinition, ExpressionDefinition } from '../characters/vocabulary.js';
import type { CharacterDefinition } from '../characters/types.js';
import { SimulatedClock } from '../engine/clock.js';
import { CONDITIONING, channelIndex } from '../protocol/conditioning.js';
import { packConditioning } from '../systems/frame/pack-conditioning.js';
import { PuppetSource, type Shot } from '../native/index.js';
import { saveContactSheet, writeReviewSet, type Frame } from './render-sheet.js';

const { values } = parseArgs({
  options: {
    docs: { type: 'string' },
    review: { type: 'string' },
    size: { type: 'string' },
    seed: { type: 'string' },
    only: { type: 'string' },
    score: { type: 'string', multiple: true },
  },
});
const DOCS = values.docs ?? 'docs/characters';
const REVIEW = values.review ?? 'scratch/blind-review';
const SIZE = Number(values.size ?? 320);
const SEED = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 1e9);

/** The ten actions a blind reviewer names (one pose each, taken mid-motion). */
export const REVIEW_ACTIONS = ['wave', 'bow', 'point', 'clap', 'shrug', 'think', 'cross_arms', 'thumbs_up', 'facepalm', 'stretch'] as const;
/** The actions on the contact sheet: the reviewed ten and the rest that have a pose to show. */
const SHEET_ACTIONS = [...REVIEW_ACTIONS, 'nod', 'shake_head', 'jump', 'dance', 'yawn', 'laugh', 'cry', 'sit_down'] as const;

const CLEARED = (['blinkLeft', 'blinkRight', 'lookX', 'lookY'] as const).map((c) => CONDITIONING.expressionOffset + channelIndex(c));

/**
 * ms from the start of an action to its key pose: halfway into the first key of its cycle (a held
 * pose is reached and settled; a swing is at its height, the springs lagging the keys a little).
 */
const keyPoseMs = (action: ActionDefinition): number => {
  if (action.kind === 'posture') return action.ms + 400;
  if (action.kind !== 'gesture') return 0;
  const intro = action.intro.reduce((sum, k) => sum + k.ms, 0);
  return intro + (action.cycle[0]?.ms ?? 0) * 0.5 + 150;
};

/** A session of `character` on the simulated clock; `directive` at 0, then stepped `ms`; returns the conditioning then. */
const playFor = (character: CharacterDefinition, directive: Record<string, unknown>, ms: number): Float32Array => {
  const session = new PersonaSession({ clock: new SimulatedClock(), source: null, character });
  session.submit({ id: 'review', source: 'user', ...directive });
  const ticks = Math.ceil(ms / session.world.time.dt);
  for (let t = 0; t < ticks; t++) session.step();
  const c = packConditioning(session.world.components, session.eid, session.world.time.now, new Float32Array(CONDITIONING.length));
  for (const i of CLEARED) c[i] = 0;
  session.stop();
  return c;
};

const render = async (character: CharacterDefinition, conditioning: Float32Array, shot: Shot): Promise<Frame> => {
  const source = new PuppetSource(SIZE, SIZE, { shot });
  source.configure(character.look);
  const rgba = new Uint8Array(SIZE * SIZE * 4);
  await source.fill(conditioning, rgba);
  source.dispose();
  return { width: SIZE, height: SIZE, rgba };
};

/** The expression at intensity 1, held, one second after it was asked for. */
export const expressionFrame = (character: CharacterDefinition, expression: ExpressionDefinition) =>
  render(character, playFor(character, { expression: { name: expression.name, intensity: 1, holdMs: 60_000 } }, 1000), 'head');

/** The action at its key pose. */
export const actionFrame = (character: CharacterDefinition, action: ActionDefinition) =>
  render(character, playFor(character, { action: { name: action.name } }, keyPoseMs(action)), 'full_body');

const main = async () => {
  // Characters that reuse another's look (sleepy-aria) are not identities of their own.
  const identities = CHARACTERS.filter((c, i) => CHARACTERS.findIndex((o) => o.look === c.look) === i);
  await mkdir(DOCS, { recursive: true });
  await mkdir(REVIEW, { recursive: true });
  for (const [n, character] of identities.entries()) {
    if (values.only && character.id !== values.only) continue;
    const { expressions, actions } = character.vocabulary;
    const faces = await Promise.all(expressions.map(async (e) => ({ label: e.name, kind: 'expression', frame: await expressionFrame(character, e) })));
    const byName = (name: string) => {
      const found = actions.find((a) => a.name === name);
      if (!found) throw new Error(`${character.id} has no action "${name}"`);
      return found;
    };
    const poses = await Promise.all(SHEET_ACTIONS.map(async (name) => ({ label: name, kind: 'action', frame: await actionFrame(character, byName(name)) })));
    await saveContactSheet(path.join(DOCS, `${character.id}-expressions.png`), faces, { columns: 6, cell: 192, title: `${character.name}: expressions` });
    await saveContactSheet(path.join(DOCS, `${character.id}-actions.png`), poses, { columns: 6, cell: 192, title: `${character.name}: actions` });

    const reviewed = [...faces, ...poses.filter((p) => (REVIEW_ACTIONS as readonly string[]).includes(p.label))];
    const items = reviewed.map((item) => ({ frame: item.frame, key: { kind: item.kind, name: item.label } }));
    const dir = await writeReviewSet(REVIEW, character.id, items, SEED + n);
    console.log(`${character.id}: ${faces.length} expressions, ${poses.length} actions; review set of ${items.length} in ${dir} (seed ${SEED + n})`);
  }
  const names = identities[0]!.vocabulary;
  await writeFile(
    path.join(REVIEW, 'vocabulary.txt'),
    `expressions (close-up of the head): ${names.expressions.map((e) => e.name).join(', ')}\nactions (whole body, caught mid-motion): ${REVIEW_ACTIONS.join(', ')}\n`,
  );
};

/** Scores "NN name" answer lines against a character's key: right answers per kind, and what was mistaken for what. */
const score = async (id: string, file: string) => {
  const { key } = JSON.parse(await readFile(path.join(REVIEW, 'keys', `${id}.json`), 'utf8')) as { key: Record<string, { kind: string; name: string }> };
  const answers = new Map<string, string>();
  for (const line of (await readFile(file, 'utf8')).split('\n')) {
    const m = /^\s*(\d+)(?:\.png)?\s*[:.)-]?\s*([a-z_ ]+?)\s*$/i.exec(line);
    if (m) answers.set(`${m[1]!.padStart(2, '0')}.png`, m[2]!.toLowerCase().replace(/ /g, '_'));
  }
  const totals: Record<string, { right: number; of: number }> = {};
  const misses: string[] = [];
  for (const [frame, truth] of Object.entries(key)) {
    const t = (totals[truth.kind] ??= { right: 0, of: 0 });
    t.of++;
    if (answers.get(frame) === truth.name) t.right++;
    else misses.push(`${frame}: ${truth.name} named ${answers.get(frame) ?? '(nothing)'}`);
  }
  const kinds = Object.keys(totals).sort().reverse(); // expressions, then actions
  console.log(`${id}: ${kinds.map((kind) => `${totals[kind]!.right}/${totals[kind]!.of} ${kind}s`).join(', ')}${misses.length ? `; missed ${misses.join('; ')}` : ''}`);
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
