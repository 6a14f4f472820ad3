/**
 * Picture helpers for the docs scripts: frames (straight-alpha RGBA from a frame source) laid on a
 * light backdrop, one at a time or as a labelled contact sheet. @napi-rs/canvas does the drawing,
 * so no ImageMagick is needed.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { PNG } from 'pngjs';
import { mulberry32 } from '../protocol/random.js';

/** The backdrop the sheets and review frames sit on: light, so the dark ink outline reads. */
export const BACKDROP = '#e8e4f0';

export interface Frame {
  width: number;
  height: number;
  /** Straight-alpha RGBA, width·height·4 bytes. */
  rgba: Uint8Array;
}

/** Writes a frame as it is (transparent background). */
export const savePng = async (file: string, { width, height, rgba }: Frame): Promise<void> => {
  const png = new PNG({ width, height });
  png.data = Buffer.from(rgba);
  await writeFile(file, PNG.sync.write(png));
};

/** Draws a frame scaled into the box at (x, y, w, h), through a canvas so it is filtered and composed over what is there. */
const drawFrame = (ctx: SKRSContext2D, frame: Frame, x: number, y: number, w: number, h: number) => {
  const tile = createCanvas(frame.width, frame.height);
  const image = tile.getContext('2d').createImageData(frame.width, frame.height);
  image.data.set(frame.rgba);
  tile.getContext('2d').putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(tile, x, y, w, h);
};

/** Writes a frame over the backdrop: what a reviewer is shown. */
export const saveOnBackdrop = async (file: string, frame: Frame): Promise<void> => {
  const canvas = createCanvas(frame.width, frame.height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = BACKDROP;
  ctx.fillRect(0, 0, frame.width, frame.height);
  drawFrame(ctx, frame, 0, 0, frame.width, frame.height);
  await writeFile(file, canvas.toBuffer('image/png'));
};

/** A labelled grid of frames on the backdrop, `columns` across, each cell `cell` pixels wide. */
export const saveContactSheet = async (
  file: string,
  tiles: readonly { label: string; frame: Frame }[],
  { columns, cell, title }: { columns: number; cell: number; title?: string },
): Promise<void> => {
  const gap = 6;
  const labelHeight = Math.round(cell * 0.11) + 6;
  const titleHeight = title ? labelHeight + 8 : 0;
  const rows = Math.ceil(tiles.length / columns);
  const cellHeight = (frame: Frame) => Math.round((cell * frame.height) / frame.width);
  const rowHeight = Math.max(...tiles.map((t) => cellHeight(t.frame)));
  const canvas = createCanvas(gap + columns * (cell + gap), titleHeight + gap + rows * (rowHeight + labelHeight + gap));
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = BACKDROP;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.fillStyle = '#2a2035';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  if (title) {
    ctx.font = `bold ${Math.round(labelHeight * 0.75)}px sans-serif`;
    ctx.fillText(title, canvas.width / 2, titleHeight / 2 + 2);
  }
  ctx.font = `${Math.round(labelHeight * 0.62)}px sans-serif`;
  tiles.forEach(({ label, frame }, i) => {
    const x = gap + (i % columns) * (cell + gap);
    const y = titleHeight + gap + Math.floor(i / columns) * (rowHeight + labelHeight + gap);
    ctx.fillStyle = 'rgba(255,255,255,0.45)';
    ctx.fillRect(x, y, cell, rowHeight + labelHeight);
    drawFrame(ctx, frame, x, y, cell, cellHeight(frame));
    ctx.fillStyle = '#2a2035';
    ctx.fillText(label, x + cell / 2, y + rowHeight + labelHeight / 2);
  });
  await writeFile(file, canvas.toBuffer('image/png'));
};

/** A seeded shuffle (mulberry32), so a run can be repeated with its --seed. */
const shuffled = <T>(items: readonly T[], seed: number): T[] => {
  const random = mulberry32(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
};

/**
 * A blind-review set: `items` shuffled by `seed`, written as `<review>/<id>/01.png …` on the backdrop,
 * and their answer key (file → each item's `key`) with the seed as `<review>/keys/<id>.json`. Returns the set's folder.
 */
export const writeReviewSet = async <K>(review: string, id: string, items: readonly { frame: Frame; key: K }[], seed: number): Promise<string> => {
  const dir = path.join(review, id);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await mkdir(path.join(review, 'keys'), { recursive: true });
  const key: Record<string, K> = {};
  for (const [i, item] of shuffled(items, seed).entries()) {
    const file = `${String(i + 1).padStart(2, '0')}.png`;
    await saveOnBackdrop(path.join(dir, file), item.frame);
    key[file] = item.key;
  }
  await writeFile(path.join(review, 'keys', `${id}.json`), `${JSON.stringify({ seed, key }, null, 2)}
`);
  return dir;
};
