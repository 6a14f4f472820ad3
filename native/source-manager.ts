/**
 * Loads a session's frame sources from the registry: on first use, one load at a time (a LoadQueue
 * the server's sessions share: two TensorRT builds at once would fight for the GPU), never on the
 * tick, with progress. A load that fails leaves the current source showing and says why; a source
 * that fails while running is replaced by the puppet, and the status says why.
 */
import type { SourceStatus } from '../protocol/frame-source.js';
import type { Look } from '../protocol/look.js';
import { PuppetSource, type FrameSource } from './index.js';
import { findSource, parseSourceConfig, SOURCE_IDS, type LoadedSource } from './source-registry.js';

/** Runs jobs one after another. */
export class LoadQueue {
  private tail: Promise<unknown> = Promise.resolve();
  run<T>(job: () => Promise<T>): Promise<T> {
    const next = this.tail.then(job, job);
    this.tail = next.catch(() => undefined);
    return next;
  }
}

export interface SourceManagerOptions {
  width: number;
  height: number;
  look: Look;
  dataDir: string;
  queue?: LoadQueue;
  /** The source showing now, and its registry id and settings. */
  initial: { id: string; config: Record<string, unknown>; source: FrameSource };
  /** Puts a loaded source in front (the session swaps its frame ring's source). */
  swap(source: FrameSource): void;
}

export class SourceManager {
  private active: { id: string; config: Record<string, unknown>; source: FrameSource };
  private current: SourceStatus;
  private generation = 0;
  private closed = false;
  private readonly listeners = new Set<(status: SourceStatus) => void>();
  private readonly queue: LoadQueue;
  /** Sources disposed but still finishing work on their own threads. */
  private readonly leaving = new Set<Promise<void>>();

  constructor(private readonly options: SourceManagerOptions) {
    this.active = options.initial;
    this.queue = options.queue ?? new LoadQueue();
    this.current = { active: options.initial.id, config: options.initial.config, state: 'ready', requested: options.initial.id, progress: null, error: null, provider: null };
  }

  get status(): SourceStatus {
    return this.current;
  }

  /** The source frames come from now. */
  get source(): FrameSource {
    return this.active.source;
  }

  onStatus(listener: (status: SourceStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Loads source `id` with `config` and puts it in front. Throws at once (nothing changes) for an
   * unknown id or bad settings; otherwise resolves with the status once the load settled — ready,
   * or failed with the reason while the previous source keeps showing. A later call supersedes it.
   */
  use(id: string, config?: unknown): Promise<SourceStatus> {
    const entry = findSource(id);
    if (!entry) throw new Error(`unknown frame source "${id}"; available: ${SOURCE_IDS.join(', ')}`);
    const parsed = parseSourceConfig(entry, config);
    const generation = ++this.generation;
    this.update({ state: 'loading', requested: id, progress: { fraction: 0, stage: 'waiting for other loads' }, error: null });
    return this.queue.run(async () => {
      if (generation !== this.generation || this.closed) return this.current;
      const progress = (fraction: number, stage: string) => {
        if (generation === this.generation && !this.closed) this.update({ progress: { fraction: Math.min(1, Math.max(0, fraction)), stage } });
      };
      progress(0, 'loading');
      let loaded: LoadedSource;
      try {
        loaded = await entry.load(parsed, { width: this.options.width, height: this.options.height, look: this.options.look, dataDir: this.options.dataDir, progress });
      } catch (error) {
        if (generation === this.generation && !this.closed) {
          this.update({ state: 'failed', progress: null, error: `${id} could not start: ${(error as Error).message}; showing ${this.active.id}` });
        }
        return this.current;
      }
      if (generation !== this.generation || this.closed) {
        this.retire(loaded.source);
        return this.current;
      }
      this.activate(id, parsed, loaded.source);
      this.update({ active: id, config: parsed, state: 'ready', progress: null, error: null, provider: loaded.provider ?? null });
      loaded.onFailure?.((reason) => this.fallBack(id, loaded.source, reason));
      return this.current;
    });
  }

  /** The active source broke while running: the puppet takes over at once, saying why. */
  private fallBack(id: string, broken: FrameSource, reason: string): void {
    if (this.closed || this.active.source !== broken) return;
    this.generation++; // a load still queued for the broken source is dropped
    const config = { shot: 'full_body' };
    this.activate('puppet', config, new PuppetSource(this.options.width, this.options.height));
    this.update({ active: 'puppet', config, state: 'failed', requested: id, progress: null, provider: null, error: `${id} stopped: ${reason}; showing puppet` });
  }

  private activate(id: string, config: Record<string, unknown>, source: FrameSource): void {
    const previous = this.active.source;
    source.configure(this.options.look);
    this.options.swap(source);
    this.active = { id, config, source };
    this.retire(previous); // fills still in flight finish into their buffers; the ring drops them if they are older
  }

  private retire(source: FrameSource): void {
    source.dispose();
    const exited = (source as { exited?: Promise<void> }).exited;
    if (exited) {
      this.leaving.add(exited);
      void exited.then(() => this.leaving.delete(exited));
    }
  }

  /** Resolves once every source this manager disposed has stopped its threads (a neural run finishes first). */
  async idle(): Promise<void> {
    while (this.leaving.size) await Promise.all([...this.leaving]);
  }

  private update(change: Partial<SourceStatus>): void {
    this.current = { ...this.current, ...change };
    for (const listener of this.listeners) listener(this.current);
  }

  /** Stops loading and disposes the active source. */
  close(): void {
    this.closed = true;
    this.generation++;
    this.retire(this.active.source);
  }
}
