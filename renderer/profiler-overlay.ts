/**
 * The frame-budget overlay. Over the top of the stage, drawn with PixiJS: a stacked bar per tick (one
 * colour per phase) against the budget line, on a dark strip that stops above her head. Beside the
 * stage, as text in `numbers` (a <pre>): fps, late and dropped ticks, event-loop lag, native fill and
 * send times, the last action's latency, the LLM's time to first token, and a per-system table —
 * drawn over the stage they covered the character.
 */
import { Container, Graphics, Text } from 'pixi.js';
import type { ProfileMessage } from '../protocol/wire.js';

const PHASE_COLOURS: Record<string, number> = {
  input: 0x8ecae6,
  behaviour: 0xffb703,
  animation: 0x90be6d,
  frame: 0xf28482,
  output: 0xb8b8ff,
  profile: 0xcccccc,
};
const CHART_HEIGHT = 62;
const PAD = 8;
/** The strip's height: bars, then the legend under them. */
const STRIP_HEIGHT = PAD + CHART_HEIGHT + 4 + 12 + 4;

const ms = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${v.toFixed(2)} ms`);

export class ProfilerOverlay {
  readonly view = new Container();
  private readonly background = new Graphics();
  private readonly bars = new Graphics();
  private readonly legend = new Text({ text: '', style: { fontFamily: 'monospace', fontSize: 10, fill: 0xffffff } });
  /** Messages drawn so far. */
  updates = 0;

  constructor(
    private readonly width: number,
    private readonly numbers: HTMLElement,
  ) {
    this.view.visible = false;
    this.numbers.hidden = true;
    this.view.addChild(this.background, this.bars, this.legend);
    this.legend.position.set(PAD, PAD + CHART_HEIGHT + 4);
  }

  get visible(): boolean {
    return this.view.visible;
  }

  set visible(on: boolean) {
    this.view.visible = on;
    this.numbers.hidden = !on;
  }

  update(message: ProfileMessage): void {
    const { width } = this;
    const w = message.window;
    const chartWidth = width - 2 * PAD;
    // The budget line sits at two thirds of the chart's height, so overruns stay visible.
    const scale = (CHART_HEIGHT * (2 / 3)) / message.budgetMs;
    const barWidth = chartWidth / Math.max(1, message.bars.length);
    const tableLines = w.systems.map((s) => `${s.name.padEnd(28)} ${s.p50.toFixed(3).padStart(7)} ${s.p99.toFixed(3).padStart(7)} ${(s.share * 100).toFixed(0).padStart(4)}%`);

    this.background.clear().rect(0, 0, width, STRIP_HEIGHT).fill({ color: 0x000000, alpha: 0.72 });
    this.bars.clear();
    message.bars.forEach((bar, i) => {
      let y = PAD + CHART_HEIGHT;
      bar.phases.forEach((phaseMs, p) => {
        const h = Math.min(y - PAD, phaseMs * scale);
        if (h <= 0) return;
        y -= h;
        this.bars.rect(PAD + i * barWidth, y, Math.max(1, barWidth - 1), h).fill(PHASE_COLOURS[message.phases[p]!] ?? 0xffffff);
      });
      if (bar.lateMs > message.budgetMs / 2) this.bars.rect(PAD + i * barWidth, PAD, Math.max(1, barWidth - 1), 3).fill(0xff4d4d);
    });
    const budgetY = PAD + CHART_HEIGHT - message.budgetMs * scale;
    this.bars.moveTo(PAD, budgetY).lineTo(width - PAD, budgetY).stroke({ color: 0xff4d4d, width: 1 });

    this.legend.text = `budget ${message.budgetMs.toFixed(1)} ms ─  ${message.phases.filter((p) => p !== 'profile').join(' · ')}`;
    this.numbers.textContent = [
      `fps ${w.fps.toFixed(1)}   tick p50 ${ms(w.tick?.p50)} p99 ${ms(w.tick?.p99)}${w.tickCpu ? `   cpu p50 ${ms(w.tickCpu.p50)} p99 ${ms(w.tickCpu.p99)}` : ''}`,
      `late ${w.lateTicks}  dropped ${w.droppedTicks}   event loop p99 ${ms(w.eventLoopDelayP99)}`,
      `native fill p50 ${ms(w.nativeFill?.p50)} p99 ${ms(w.nativeFill?.p99)}`,
      `native queue p50 ${ms(w.nativeQueue?.p50)}   send p50 ${ms(w.send?.p50)}`,
      `GC ${ms(w.gcMs)} in ${w.seconds} s`,
      `last action latency ${ms(message.lastActionLatencyMs)}`,
      `LLM first token ${message.llmTtftMs === null ? '— (no LLM answered)' : ms(message.llmTtftMs)}`,
      message.source
        ? `frame source ${message.source.active}${message.source.provider ? ` on ${message.source.provider}, frame ${ms(message.source.frameMs ?? undefined)}` : ''}${message.source.state === 'ready' ? '' : ` (${message.source.state})`}`
        : 'frame source —',
      message.viewers.length
        ? `WebRTC ${message.viewers.length} viewer(s): ${message.viewers
            .slice(0, 3)
            .map((v) => `${v.bitrateKbps} kbps ${v.fps} fps rtt ${v.rttMs ?? '—'} ms lost ${v.packetsLost}`)
            .join(' | ')}`
        : 'WebRTC no viewers',
      '',
      `${'system'.padEnd(28)} ${'p50'.padStart(7)} ${'p99'.padStart(7)} share`,
      ...tableLines,
    ].join('\n');
    this.updates++;
  }
}
