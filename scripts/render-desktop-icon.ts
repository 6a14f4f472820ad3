/**
 * Renders the desktop app's icon (tray, window, installers) from the real puppet: Aria's head, smiling,
 * on a transparent background, 512×512, to app/desktop/icon.png. Run: `npx tsx scripts/render-desktop-icon.ts`.
 */
import { poseConditioning } from '../native/pose-conditioning.js';
import { getCharacter } from '../characters/index.js';
import { POSTURES } from '../characters/vocabulary.js';
import { DEFAULT_VOCABULARY } from '../characters/default-vocabulary.js';
import { PuppetSource } from '../native/index.js';
import { savePng } from './render-sheet.js';

const SIZE = 512;
const happy = DEFAULT_VOCABULARY.expressions.find((e) => e.name === 'happy')!.channels;
const relaxed = { curl: 0.3, point: 0, thumb: 0 };
const source = new PuppetSource(SIZE, SIZE, { shot: 'head' });
source.configure(getCharacter('aria').look);
const rgba = new Uint8Array(SIZE * SIZE * 4);
await source.fill(poseConditioning(POSTURES.standing, { ...happy }, { left: relaxed, right: relaxed }), rgba);
source.dispose();
await savePng('app/desktop/icon.png', { width: SIZE, height: SIZE, rgba });
console.log('wrote app/desktop/icon.png');
