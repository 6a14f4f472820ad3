/**
 * `persona sources` and `persona models verify` through the CLI process: the registry as JSON, a
 * complete tiny model set, a set with a file missing (exit 1, the file named), and no neural addition
 * (one line saying how to add it, exit 2).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAdded } from '../../protocol/additions.js';
import { writeTinyDiffusionSet } from '../../native/__tests__/tiny-diffusion.js';

const persona = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
    execFile(process.execPath, ['bin/persona.js', ...args], { env: { ...process.env, ...env } }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    ),
  );

describe('persona sources / models verify', () => {
  it('sources --json lists the registry with JSON Schemas', async () => {
    const { code, stdout } = await persona(['sources', '--json']);
    expect(code).toBe(0);
    const list = JSON.parse(stdout) as { id: string; configSchema: { properties: Record<string, unknown> } }[];
    expect(list.map((s) => s.id)).toEqual(['puppet', 'control', 'diffusion']);
    expect(Object.keys(list[2]!.configSchema.properties)).toEqual(expect.arrayContaining(['modelsDir', 'steps', 'strength', 'providers', 'seed']));
  });

  it('models verify without the neural addition says how to add it (exit 2)', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'no-additions-'));
    const { code, stderr } = await persona(['models', 'verify', '/nowhere'], { PERSONA_ADDITIONS_DIR: empty });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^persona models: the neural frame source needs onnxruntime-node 1\.30\.0, which is not installed: run `npx persona add neural`/);
  });

  it.skipIf(!isAdded('neural'))('models verify: a complete set (exit 0), then one with a file missing (exit 1, named)', async () => {
    const dir = writeTinyDiffusionSet(mkdtempSync(path.join(os.tmpdir(), 'tiny-sd-')));
    const ok = await persona(['models', 'verify', dir, '--json']);
    expect(ok.code).toBe(0);
    const report = JSON.parse(ok.stdout) as { ok: boolean; files: { path: string; sha256: string; problems: string[] }[] };
    expect(report.ok).toBe(true);
    expect(report.files.map((f) => f.path)).toEqual(['text_encoder/model.onnx', 'vae_encoder/model.onnx', 'vae_decoder/model.onnx', 'controlnet/model.onnx', 'unet/model.onnx', 'tokenizer/vocab.json', 'tokenizer/merges.txt']);
    rmSync(path.join(dir, 'controlnet'), { recursive: true });
    const bad = await persona(['models', 'verify', dir]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain(`FAIL controlnet/model.onnx`);
    expect(bad.stdout).toContain(`! missing: ${path.join(dir, 'controlnet/model.onnx')}`);
    expect(bad.stdout).toMatch(/ok {3}unet\/model\.onnx .*sha256 [0-9a-f]{16}…/);
    expect(bad.stdout).toContain('in  mid_block_additional_residual float32 [1,16,1,1]');
  });
});
