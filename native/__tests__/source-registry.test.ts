/**
 * The frame-source registry and its manager: every source is an entry with a JSON Schema; a session
 * switches source at run time both ways (the pixels show it); a bad request changes nothing; a neural
 * source whose runtime is missing says how to add it and the puppet keeps showing, the session alive.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FRAME_SOURCE_IDS } from '../../protocol/frame-source.js';
import { SimulatedClock } from '../../engine/clock.js';
import { PersonaSession } from '../../app/session.js';
import { describeSources, SOURCE_IDS } from '../source-registry.js';

const sessions: PersonaSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.stop()));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const start = () => {
  const session = new PersonaSession({ clock: new SimulatedClock(), width: 64, height: 64 });
  sessions.push(session);
  let last: Uint8Array | null = null;
  session.onFrame((f) => (last = f.rgba.slice()));
  const frame = async () => {
    session.step();
    for (let i = 0; i < 200 && [...session.world.resources.frameRings.values()].some((r) => r.state.includes('filling')); i++) await sleep(2);
    return last!;
  };
  return { session, frame };
};
/** Alpha of the top-left corner: 0 for the puppet (transparent background), 255 for the control image (black). */
const cornerAlpha = (rgba: Uint8Array) => rgba[3]!;

describe('frame-source registry', () => {
  it('has an entry for each id the config accepts, each with its settings as JSON Schema', () => {
    expect(SOURCE_IDS).toEqual([...FRAME_SOURCE_IDS]);
    const listed = describeSources();
    const diffusion = listed.find((s) => s.id === 'diffusion')!;
    expect(diffusion.requires.package?.name).toBe('onnxruntime-node@1.30.0');
    expect(diffusion.artifacts.map((a) => a.path)).toContain('unet/model.onnx');
    const steps = (diffusion.configSchema.properties as Record<string, { minimum: number; maximum: number }>).steps;
    expect([steps!.minimum, steps!.maximum]).toEqual([1, 4]);
    expect(listed.find((s) => s.id === 'puppet')!.configSchema.properties).toHaveProperty('shot');
  });

  it('a session on the puppet never loads the neural runtime (npm start stays as small as before)', async () => {
    const { frame } = start();
    await frame();
    describeSources();
    const maps = readFileSync('/proc/self/maps', 'utf8');
    expect(maps).toContain('persona_native.node');
    expect(maps).not.toContain('onnxruntime');
  });

  it('switches a session between puppet and control at run time, both ways', async () => {
    const { session, frame } = start();
    expect(cornerAlpha(await frame())).toBe(0);
    const status = await session.setSource('control', { shot: 'upper_body' });
    expect(status).toMatchObject({ active: 'control', state: 'ready', error: null, config: { shot: 'upper_body' } });
    await frame();
    expect(cornerAlpha(await frame())).toBe(255);
    await session.setSource('puppet');
    await frame();
    expect(cornerAlpha(await frame())).toBe(0);
  });

  it('refuses an unknown source or bad settings at once, changing nothing', async () => {
    const { session } = start();
    expect(() => session.setSource('dreams')).toThrow('unknown frame source "dreams"; available: puppet, control, diffusion');
    expect(() => session.setSource('diffusion', { steps: 9 })).toThrow(/bad settings for source "diffusion": steps: .*4/);
    expect(() => session.setSource('control', { zoom: 2 })).toThrow(/bad settings for source "control"/);
    expect(session.sourceStatus).toMatchObject({ active: 'puppet', state: 'ready', error: null });
  });

  it('without the neural runtime, says how to add it and keeps the puppet, the session alive', async () => {
    const saved = process.env.PERSONA_ADDITIONS_DIR;
    process.env.PERSONA_ADDITIONS_DIR = mkdtempSync(path.join(os.tmpdir(), 'no-additions-'));
    try {
      const { session, frame } = start();
      const status = await session.setSource('diffusion', { modelsDir: '/nowhere' });
      expect(status.active).toBe('puppet');
      expect(status.state).toBe('failed');
      expect(status.error).toMatch(/^diffusion could not start: .*onnxruntime-node 1\.30\.0.*npx persona add neural.*; showing puppet$/);
      const before = session.world.time.tick;
      expect(cornerAlpha(await frame())).toBe(0);
      expect(session.world.time.tick).toBe(before + 1);
    } finally {
      if (saved === undefined) delete process.env.PERSONA_ADDITIONS_DIR;
      else process.env.PERSONA_ADDITIONS_DIR = saved;
    }
  });
});
