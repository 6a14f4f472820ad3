/**
 * The neural frame source on a tiny model set with the real signature (written here: random weights,
 * small convolutions), on ONNX Runtime's CPU provider. Chat → directive → pose → control image →
 * pipeline → pixels in the ring; determinism; the pose reaches the pixels; clear errors with the puppet
 * fallback; a slow model never queues frames or stops the tick; switching at run time both ways.
 * Needs the neural addition (`npx persona add neural`); without it these tests are skipped, saying so.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isAdded, missingAdditionLine } from '../../protocol/additions.js';
import { RealClock, SimulatedClock } from '../../engine/clock.js';
import { PersonaSession } from '../../app/session.js';
import { ControlSource, PuppetSource, createConditioning } from '../index.js';
import { DiffusionConfigSchema, importOnnxRuntime, verifyModels } from '../diffusion-models.js';
import { DiffusionPipeline } from '../diffusion-pipeline.js';
import { writeTinyDiffusionSet, type TinySetOptions } from './tiny-diffusion.js';

const runtime = isAdded('neural');
if (!runtime) console.warn(`diffusion-source tests skipped: ${missingAdditionLine('neural')}`);

const SIZE = 64;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const modelSet = (options: TinySetOptions = {}) => writeTinyDiffusionSet(mkdtempSync(path.join(os.tmpdir(), 'tiny-sd-')), { size: SIZE, ...options });
const sessions: PersonaSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) {
    s.stop();
    await s.sources?.idle(); // the diffusion worker finishes its run and leaves
  }
});

/** A session on the simulated clock whose published frames the test reads; `tick()` steps and lets fills land. */
const start = () => {
  const session = new PersonaSession({ clock: new SimulatedClock(), width: SIZE, height: SIZE });
  sessions.push(session);
  const frames: Uint8Array[] = [];
  session.onFrame((f) => frames.push(f.rgba.slice()));
  const tick = async (waitMs = 5) => {
    session.step();
    await sleep(waitMs);
  };
  return { session, frames, tick };
};
const opaqueCorner = (rgba: Uint8Array) => rgba[3] === 255;
/** Ticks until a neural frame (opaque where the puppet is transparent) is published; returns it. */
const untilNeural = async (tick: () => Promise<void>, frames: Uint8Array[], limit = 400) => {
  for (let i = 0; i < limit; i++) {
    await tick();
    const last = frames.at(-1);
    if (last && opaqueCorner(last)) return last;
  }
  throw new Error('no neural frame arrived');
};
const settings = (dir: string, more: Record<string, unknown> = {}) => ({ modelsDir: dir, providers: ['cpu'], threads: 1, feedback: 0, similarSkip: 1, ...more });

describe.skipIf(!runtime)('diffusion frame source (tiny model set, CPU)', () => {
  it('verify: names, shapes and hashes of a set', async () => {
    const dir = modelSet();
    const report = await verifyModels(dir, await importOnnxRuntime());
    expect(report.ok).toBe(true);
    const unet = report.files.find((f) => f.path === 'unet/model.onnx')!;
    expect(unet.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(unet.inputs.map((i) => i.name)).toContain('mid_block_additional_residual');
    expect(unet.outputs).toEqual([{ name: 'out_sample', type: 'float32', shape: [1, 4, 8, 8] }]);
  });

  it('chat → directive → pose → control image → pipeline → pixels in the ring; the puppet shows until then', async () => {
    const { session, frames, tick } = start();
    await tick();
    const status = await session.setSource('diffusion', settings(modelSet(), { reference: 0.3, feedback: 0.2 }));
    expect(status).toMatchObject({ active: 'diffusion', state: 'ready', provider: 'cpu', error: null });
    await tick();
    expect(opaqueCorner(frames.at(-1)!)).toBe(false); // still the puppet: no neural frame yet
    const standing = await untilNeural(tick, frames);
    session.chat('wave');
    for (let i = 0; i < 20; i++) await tick(20); // the arm goes up over ~0.6 s of engine time
    const waving = frames.at(-1)!;
    expect(opaqueCorner(waving)).toBe(true);
    let changed = 0;
    for (let i = 0; i < waving.length; i += 4) if (Math.abs(waving[i]! - standing[i]!) > 2) changed++;
    expect(changed).toBeGreaterThan(SIZE * SIZE * 0.01);
  });

  it('the same seed and pose give the same frame; another pose gives another', async () => {
    const dir = modelSet();
    const ort = await importOnnxRuntime();
    const options = { ...DiffusionConfigSchema.parse(settings(dir)), modelsDir: dir, width: SIZE, height: SIZE };
    const puppet = new PuppetSource(SIZE, SIZE);
    const control = new ControlSource(SIZE, SIZE);
    const render = async (conditioning: Float32Array) => {
      const [c, i] = [new Uint8Array(SIZE * SIZE * 4), new Uint8Array(SIZE * SIZE * 4)];
      await Promise.all([control.fill(conditioning, c), puppet.fill(conditioning, i)]);
      return { c, i };
    };
    const rest = await render(createConditioning());
    const moved = createConditioning();
    moved[0] = 0.3; // the root steps to the side: every joint of the skeleton moves
    const other = await render(moved);
    const frame = async (input: { c: Uint8Array; i: Uint8Array }, seed = 1, reference?: Uint8Array) => {
      const pipeline = await DiffusionPipeline.load(ort, { ...options, seed, reference: reference ? 0.5 : 0 });
      await pipeline.setPrompt('a 2d game character, brown bob hair');
      if (reference) await pipeline.setReference(reference);
      const out = (await pipeline.run(input.c, input.i))!.rgba;
      await pipeline.release();
      return Buffer.from(out);
    };
    const a = await frame(rest);
    expect((await frame(rest)).equals(a)).toBe(true);
    expect((await frame(other)).equals(a)).toBe(false);
    expect((await frame(rest, 2)).equals(a)).toBe(false);
    // only the pose image differs: the control input alone reaches the pixels
    expect((await frame({ c: other.c, i: rest.i })).equals(a)).toBe(false);
    // a reference latent (the character at rest) pulls the moved pose's frame toward the rest frame's
    const anchored = await frame(other, 1, rest.i);
    expect((await frame(other, 1, rest.i)).equals(anchored)).toBe(true);
    const free = await frame(other);
    const distance = (x: Buffer, y: Buffer) => x.reduce((sum, v, i) => sum + Math.abs(v - y[i]!), 0);
    expect(distance(anchored, a)).toBeLessThan(distance(free, a));
    puppet.dispose();
    control.dispose();
  });

  it('stream batch: one run per frame, each frame out steps − 1 runs later, as the one-by-one pipeline makes it', async () => {
    const ort = await importOnnxRuntime();
    const dir = modelSet({ batch: 'dynamic' });
    const base = { ...DiffusionConfigSchema.parse(settings(dir, { steps: 3, strength: 0.8 })), modelsDir: dir, width: SIZE, height: SIZE };
    const puppet = new PuppetSource(SIZE, SIZE);
    const control = new ControlSource(SIZE, SIZE);
    const poses = await Promise.all(
      [0, 0.1, 0.2, 0.3].map(async (x) => {
        const conditioning = createConditioning();
        conditioning[0] = x;
        const [c, i] = [new Uint8Array(SIZE * SIZE * 4), new Uint8Array(SIZE * SIZE * 4)];
        await Promise.all([control.fill(conditioning, c), puppet.fill(conditioning, i)]);
        return { c, i };
      }),
    );
    puppet.dispose();
    control.dispose();
    const oneByOne = await DiffusionPipeline.load(ort, base);
    const streamed = await DiffusionPipeline.load(ort, { ...base, streamBatch: true });
    for (const p of [oneByOne, streamed]) await p.setPrompt('a 2d game character');
    const expected = [];
    for (const pose of poses) expected.push((await oneByOne.run(pose.c, pose.i))!.rgba);
    const out = [];
    for (const pose of poses) out.push((await streamed.run(pose.c, pose.i))?.rgba ?? null);
    expect(Buffer.from(expected[0]!).equals(Buffer.from(expected[1]!))).toBe(false); // each pose its own frame, so a frame out of turn would show
    expect(out.slice(0, 2)).toEqual([null, null]); // 3 steps: the batch fills for two runs
    for (const [k, frame] of out.slice(2).entries()) {
      let worst = 0;
      for (let i = 0; i < frame!.length; i++) worst = Math.max(worst, Math.abs(frame![i]! - expected[k]![i]!));
      expect(worst).toBeLessThanOrEqual(2); // the same frame (batched convolutions may round differently)
    }
    await oneByOne.release();
    await streamed.release();
    // Models exported for batch 1 cannot stream-batch: said at load, naming the batch.
    await expect(DiffusionPipeline.load(ort, { ...base, modelsDir: modelSet(), streamBatch: true })).rejects.toThrow(
      /controlnet\/model\.onnx: "sample" is \[1,4,8,8\] but this session needs \[3,4,8,8\] \(frame 64×64, stream batch 3;/,
    );
  });

  it('a missing file, a wrong shape: a clear reason, the puppet keeps showing, the session goes on', async () => {
    const { session, frames, tick } = start();
    const empty = mkdtempSync(path.join(os.tmpdir(), 'no-models-'));
    let status = await session.setSource('diffusion', settings(empty));
    expect(status).toMatchObject({ active: 'puppet', state: 'failed' });
    expect(status.error).toContain(`model file missing: ${path.join(empty, 'text_encoder/model.onnx')}`);
    status = await session.setSource('diffusion', settings(modelSet({ decoderSize: 128 })));
    expect(status.active).toBe('puppet');
    expect(status.error).toMatch(/vae_decoder\/model\.onnx: "latent_sample" is \[1,4,16,16\] but this session needs \[1,4,8,8\]/);
    await tick(20);
    expect(frames.length).toBeGreaterThan(0);
    expect(opaqueCorner(frames.at(-1)!)).toBe(false);
  });

  it('a run that fails falls back to the puppet saying why; the session goes on', async () => {
    const { session, frames, tick } = start();
    const status = await session.setSource('diffusion', settings(modelSet({ failingUnet: true })));
    expect(status.active).toBe('diffusion');
    for (let i = 0; i < 200 && session.sourceStatus!.active === 'diffusion'; i++) await tick();
    expect(session.sourceStatus).toMatchObject({ active: 'puppet', state: 'failed', requested: 'diffusion' });
    expect(session.sourceStatus!.error).toMatch(/^diffusion stopped: a diffusion run failed: .*Gather.*; showing puppet$/);
    const count = frames.length;
    await tick(20);
    await tick(20);
    expect(frames.length).toBeGreaterThan(count);
    expect(opaqueCorner(frames.at(-1)!)).toBe(false);
  });

  it('a slow model: frames at its rate, nothing queues, the tick keeps its rate', async () => {
    const session = new PersonaSession({ clock: new RealClock(), width: SIZE, height: SIZE });
    sessions.push(session);
    let published = 0;
    session.onFrame(() => published++);
    await session.setSource('diffusion', settings(modelSet({ slowConvs: 20 })));
    session.start();
    const ring = session.world.resources.frameRings.get(session.eid)!;
    let mostWaiting = 0;
    const startTick = session.world.time.tick;
    const began = performance.now();
    while (performance.now() - began < 2500) {
      mostWaiting = Math.max(mostWaiting, ring.source.stats().inFlight);
      await sleep(10);
    }
    const ticks = session.world.time.tick - startTick;
    const seconds = (performance.now() - began) / 1000;
    const neural = (ring.source as unknown as { counts: { frames: number } }).counts.frames;
    // Each run takes far longer than a tick (20 convolutions of 0.6 G multiply-adds): few neural frames…
    expect(neural).toBeGreaterThan(0);
    expect(neural).toBeLessThan(ticks / 2);
    // …while the tick ran at its rate (allowing a loaded machine half of it) and no more than the ring's buffers ever waited.
    expect(ticks).toBeGreaterThan(30 * seconds * 0.5);
    expect(mostWaiting).toBeLessThanOrEqual(3);
    expect(published).toBeGreaterThan(0);
  });

  it('switches diffusion → puppet → diffusion at run time', async () => {
    const { session, frames, tick } = start();
    const dir = modelSet();
    await session.setSource('diffusion', settings(dir));
    await untilNeural(tick, frames);
    expect((await session.setSource('puppet')).active).toBe('puppet');
    await tick(20);
    await tick(20);
    expect(opaqueCorner(frames.at(-1)!)).toBe(false);
    expect((await session.setSource('diffusion', settings(dir))).active).toBe('diffusion');
    await untilNeural(tick, frames);
  });
});
