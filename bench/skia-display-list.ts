/**
 * Draws the puppet's display list with Skia (@napi-rs/canvas), anti-aliased, for the
 * `puppet_vs_skia_ratio` comparison: same shapes, same order, fills with a shadow-to-light gradient
 * where our rasterizer cel-shades, and inner outlines as strokes.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import type { DisplayColour, DisplayPrimitive } from '../native/index.js';

const css = ([r, g, b, a]: DisplayColour) => `rgba(${Math.round(r * 255)},${Math.round(g * 255)},${Math.round(b * 255)},${a})`;

/** A tapered capsule: the hull of two circles. */
const capsulePath = (ctx: SKRSContext2D, ax: number, ay: number, bx: number, by: number, ra: number, rb: number) => {
  const angle = Math.atan2(by - ay, bx - ax);
  const length = Math.hypot(bx - ax, by - ay);
  const tilt = length > Math.abs(ra - rb) ? Math.asin((ra - rb) / length) : 0;
  ctx.beginPath();
  ctx.arc(ax, ay, ra, angle + Math.PI / 2 + tilt, angle + (3 * Math.PI) / 2 - tilt);
  ctx.arc(bx, by, rb, angle - Math.PI / 2 - tilt, angle + Math.PI / 2 + tilt);
  ctx.closePath();
};

const tracePath = (ctx: SKRSContext2D, p: DisplayPrimitive): [number, number, number] => {
  if (p.shape === 'capsule') {
    capsulePath(ctx, p.ax, p.ay, p.bx, p.by, p.ra, p.rb);
    return [(p.ax + p.bx) / 2, (p.ay + p.by) / 2, Math.max(p.ra, p.rb) + Math.hypot(p.bx - p.ax, p.by - p.ay) / 2];
  }
  if (p.shape === 'ellipse') {
    ctx.beginPath();
    ctx.ellipse(p.cx, p.cy, p.rx, p.ry, p.angle, 0, Math.PI * 2);
    return [p.cx, p.cy, Math.max(p.rx, p.ry)];
  }
  ctx.beginPath();
  let cx = 0, cy = 0;
  for (let i = 0; i < p.points.length; i += 2) {
    if (i === 0) ctx.moveTo(p.points[i]!, p.points[i + 1]!);
    else ctx.lineTo(p.points[i]!, p.points[i + 1]!);
    cx += p.points[i]!;
    cy += p.points[i + 1]!;
  }
  ctx.closePath();
  const n = p.points.length / 2;
  return [cx / n, cy / n, 20];
};

export interface SkiaDrawer {
  /** Draws the list and reads the pixels back (as our fill hands back a finished buffer). */
  draw(list: readonly DisplayPrimitive[]): Uint8ClampedArray;
}

export const createSkiaDrawer = (width: number, height: number): SkiaDrawer => {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  return {
    draw(list) {
      ctx.clearRect(0, 0, width, height);
      for (const p of list) {
        const [cx, cy, r] = tracePath(ctx, p);
        if (p.shaded) {
          // Light from the upper left, as in our rasterizer.
          const g = ctx.createLinearGradient(cx - r * 0.45, cy - r * 0.55, cx + r * 0.45, cy + r * 0.55);
          g.addColorStop(0.45, css(p.fill));
          g.addColorStop(0.6, css(p.shadow));
          ctx.fillStyle = g;
        } else {
          ctx.fillStyle = css(p.fill);
        }
        ctx.fill();
        if (p.outlineWidth > 0) {
          ctx.save();
          ctx.clip();
          ctx.lineWidth = p.outlineWidth * 2;
          ctx.strokeStyle = css(p.outline);
          ctx.stroke();
          ctx.restore();
        }
      }
      return ctx.getImageData(0, 0, width, height).data;
    },
  };
};
