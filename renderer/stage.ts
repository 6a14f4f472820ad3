/** The PixiJS stage: the persona's latest frame, uploaded from raw RGBA bytes into a BufferImageSource. */
import { Application, BufferImageSource, Sprite, Texture, type Container } from 'pixi.js';
// Pixi compiles shaders with new Function() unless this module swaps in eval-free paths; our CSP forbids eval.
import 'pixi.js/unsafe-eval';

export class PersonaStage {
  private readonly app = new Application();
  private source: BufferImageSource | null = null;
  private sprite: Sprite | null = null;
  private pixels: Uint8Array | null = null;
  /** Frames shown so far. */
  framesShown = 0;

  async init(container: HTMLElement, width: number, height: number): Promise<void> {
    // No ticker: the stage changes only when a frame arrives, so render then and leave the CPU/GPU idle otherwise.
    await this.app.init({ width, height, background: '#262a35', preference: 'webgl', antialias: false, autoStart: false });
    this.app.ticker.stop();
    container.appendChild(this.app.canvas);
  }

  /** Puts a layer over the persona (the profiler overlay). */
  addOverlay(layer: Container): void {
    this.app.stage.addChild(layer);
  }

  /** Draws the stage now (after an overlay changed). */
  redraw(): void {
    this.app.render();
  }

  get width(): number {
    return this.app.renderer.width;
  }

  /** Shows one frame of straight-alpha RGBA; the texture is re-made only when the size changes. */
  show(rgba: Uint8Array, width: number, height: number): void {
    if (!this.source || this.source.width !== width || this.source.height !== height) {
      this.sprite?.destroy();
      this.source?.destroy();
      this.pixels = new Uint8Array(width * height * 4);
      this.source = new BufferImageSource({ resource: this.pixels, width, height, format: 'rgba8unorm' });
      this.sprite = new Sprite(new Texture({ source: this.source }));
      this.sprite.width = this.app.renderer.width;
      this.sprite.height = this.app.renderer.height;
      this.app.stage.addChildAt(this.sprite, 0); // under any overlay
    }
    this.pixels!.set(rgba);
    this.source.update();
    this.app.render();
    this.framesShown++;
  }
}
