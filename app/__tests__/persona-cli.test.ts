/** The conversation commands as a user runs them: `persona interpret`, `--jsonl`, `--provider`, `import-card`. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenAiDouble } from '../../persona/__tests__/openai-double.js';

let dir: string;
let double: OpenAiDouble;

const persona = (args: string[], stdin?: string, env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    const child = execFile(process.execPath, ['bin/persona.js', ...args], { env: { ...process.env, PERSONA_DATA_DIR: dir, ...env }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
    child.stdin!.end(stdin ?? '');
  });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'persona-cli-'));
  double = await OpenAiDouble.start();
});
afterAll(async () => {
  await double?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('persona interpret and import-card', () => {
  it('prints one JSON line with input, directives and reply', async () => {
    const { code, stdout } = await persona(['interpret', 'sit down and then wave twice']);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(stdout) as { input: string; directives: { action?: { name: string; repeat?: number } }[]; reply: string };
    expect(out.input).toBe('sit down and then wave twice');
    // The second step waits for the first (queue), instead of interrupting it.
    expect(out.directives.map((d) => d.action)).toEqual([{ name: 'sit_down' }, { name: 'wave', repeat: 2, queue: true }]);
    expect(out.reply.length).toBeGreaterThan(0);
  });

  it('answers as a fresh persona would: "stand up" while standing says so and sends nothing', async () => {
    const { code, stdout } = await persona(['interpret', 'stand up']);
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as { directives: unknown[]; reply: string };
    expect(out.directives).toEqual([]);
    expect(out.reply).toMatch(/already standing/i);
  });

  it('--jsonl answers every stdin line in order, a bad one with an error, and goes on', async () => {
    const lines = ['wave', 'x'.repeat(5000), 'my cat is sick', 'execute action rm_rf', 'look left'];
    const { code, stdout } = await persona(['interpret', '--jsonl'], `${lines.join('\n')}\n`);
    expect(code).toBe(0);
    const out = stdout.trim().split('\n').map((l) => JSON.parse(l) as { input: string; directives: { action?: { name: string }; expression?: { name: string }; gaze?: string }[]; error?: string });
    expect(out.map((o) => o.input.slice(0, 20))).toEqual(lines.map((l) => l.slice(0, 20)));
    expect(out[0]!.directives[0]!.action!.name).toBe('wave');
    expect(out[1]!.error).toMatch(/too long: 5000 characters/);
    expect(out[2]!.directives[0]!.expression!.name).toBe('sad');
    expect(out[3]!.directives).toEqual([]);
    expect(out[4]!.directives[0]!.gaze).toBe('left');
  });

  it('--provider openai asks the configured endpoint', async () => {
    double.queue({ pieces: ['{"action":{"name":"nod"},"dialogue":"Yes indeed."}'] });
    const { code, stdout } = await persona(['interpret', '--provider', 'openai', '--model', 'test', 'do you agree?'], undefined, { PERSONA_OPENAI_BASE_URL: double.baseUrl });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ input: 'do you agree?', directives: [{ source: 'llm', action: { name: 'nod' } }], reply: 'Yes indeed.' });
    const bad = await persona(['interpret', '--provider', 'gpt5', 'wave']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toEqual(['persona interpret: --provider: must be one of "embedded", "openai", "llama" (got "gpt5")']);
  });

  it('import-card writes the definition under the data dir', async () => {
    const card = path.join(dir, 'card.json');
    writeFileSync(card, JSON.stringify({ spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Mira', description: 'A cheerful baker.', first_mes: 'Fresh bread, anyone?', extensions: { custom: 1 } } }));
    const { code, stdout } = await persona(['import-card', card]);
    expect(code).toBe(0);
    const printed = JSON.parse(stdout) as { id: string; file: string };
    expect(printed).toMatchObject({ id: 'mira', file: path.join(dir, 'characters', 'mira.json') });
    const saved = JSON.parse(readFileSync(printed.file, 'utf8')) as { spec: string; data: { name: string; extensions: Record<string, unknown> } };
    expect(saved).toMatchObject({ spec: 'chara_card_v2', data: { name: 'Mira' } });
    expect(Object.keys(saved.data.extensions)).toEqual(['custom', 'persona-engine']);
    const mira = await persona(['interpret', '--character', 'mira', 'wave at me']);
    expect(JSON.parse(mira.stdout)).toMatchObject({ directives: [{ action: { name: 'wave' }, gaze: 'camera' }] });
    const nobody = await persona(['interpret', '--character', 'nobody', 'wave']);
    expect(nobody.stderr).toMatch(/unknown character "nobody"; available: aria, .*mira/);
  });
});
