/**
 * The desktop character's picture: each preview frame (straight-alpha RGBA) put on a 2D canvas as it
 * is, so what is transparent in the frame is transparent in the window. Drawn only when a frame
 * arrives (no animation loop, no WebGL context), and the last frame is kept for the hit test.
 */

/**
 * A pixel at least half opaque counts as the character: her anti-aliased fringe and her soft ground
 * shadow (alpha ~50) let clicks through to the desktop.
 */
export const OPAQUE_ALPHA = 128;

export class CharacterView {
  private readonly context: CanvasRenderingContext2D;
  private frame: ImageData | null = null;
  /** Frames drawn so far. */
  framesShown = 0;

  constructor(private readonly canvas: HTMLCanvasElement) {
    this.context = canvas.getContext('2d', { alpha: true })!;
  }

  show(rgba: Uint8Array, width: number, height: number): void {
    if (!this.frame || this.frame.width !== width || this.frame.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
      this.frame = new ImageData(width, height);
    }
    this.frame.data.set(rgba.subarray(0, width * height * 4));
    // putImageData replaces the pixels, alpha included: no clear needed, nothing blended.
    this.context.putImageData(this.frame, 0, 0);
    this.framesShown++;
  }

  /** The frame's alpha under a point given in CSS pixels of the page (0 outside the canvas or before the first frame). */
  alphaAt(clientX: number, clientY: number): number {
    if (!this.frame) return 0;
    const box = this.canvas.getBoundingClientRect();
    if (box.width <= 0 || box.height <= 0) return 0;
    const x = Math.floor(((clientX - box.left) / box.width) * this.frame.width);
    const y = Math.floor(((clientY - box.top) / box.height) * this.frame.height);
    if (x < 0 || y < 0 || x >= this.frame.width || y >= this.frame.height) return 0;
    return this.frame.data[(y * this.frame.width + x) * 4 + 3]!;
  }

  /** Is the character's own (opaque) pixel under this point? */
  isCharacterAt(clientX: number, clientY: number): boolean {
    return this.alphaAt(clientX, clientY) >= OPAQUE_ALPHA;
  }
}
