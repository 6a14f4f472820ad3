/** `persona import-card` and stored cards against hostile input (issue 11): no file outside <data dir>/characters, bounded fields. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

let root: string;
let dataDir: string;

const persona = (args: string[]) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['bin/persona.js', ...args], { env: { ...process.env, PERSONA_DATA_DIR: dataDir }, timeout: 30_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
const card = (data: Record<string, unknown>) => ({ spec: 'chara_card_v2', spec_version: '2.0', data: { name: 'Mira', first_mes: 'Hello!', ...data } });

beforeAll(() => {
  root = mkdtempSync(path.join(os.tmpdir(), 'persona-cli-card-'));
  dataDir = path.join(root, 'a', 'data');
  mkdirSync(dataDir, { recursive: true });
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('persona import-card against hostile cards', () => {
  it('an id that climbs out of the data dir writes nothing and says which field to fix', async () => {
    const file = path.join(root, 'evil.json');
    writeFileSync(file, JSON.stringify(card({ extensions: { 'persona-engine': { id: '../../settings' } } })));
    const { code, stderr } = await persona(['import-card', file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/data\.extensions\["persona-engine"\]\.id/);
    expect(existsSync(path.join(root, 'a', 'settings.json'))).toBe(false);
    expect(existsSync(path.join(dataDir, 'characters')) ? readdirSync(path.join(dataDir, 'characters')) : []).toEqual([]);
  });

  it('a 1 MB name gets a short error', async () => {
    const file = path.join(root, 'long-name.json');
    writeFileSync(file, JSON.stringify(card({ name: 'x'.repeat(1_000_000) })));
    const { code, stderr } = await persona(['import-card', file]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/data\.name: .*at most 100 characters/);
    expect(stderr.length).toBeLessThan(400);
  });
});

describe('stored cards are held to the same bounds when loaded', () => {
  it('a stored card with a huge greeting is reported, not served', async () => {
    mkdirSync(path.join(dataDir, 'characters'), { recursive: true });
    writeFileSync(path.join(dataDir, 'characters', 'loud.json'), JSON.stringify(card({ name: 'Loud', first_mes: 'g'.repeat(100_000) })));
    const { code, stderr } = await persona(['interpret', '--character', 'loud', 'wave']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/loud\.json is broken .*data\.first_mes: .*at most 16384 characters/);
    expect(stderr.length).toBeLessThan(600);
  });

  it('a stored card file too large to be a card is not read at all', async () => {
    writeFileSync(path.join(dataDir, 'characters', 'huge.json'), JSON.stringify(card({ name: 'Huge', creator_notes: 'n'.repeat(6 << 20) })));
    const { code, stderr } = await persona(['interpret', '--character', 'huge', 'wave']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/huge\.json is 6\.0 MiB; a stored card is at most 4 MiB/);
  });

  it('a stored card whose own id climbs out is reported', async () => {
    writeFileSync(path.join(dataDir, 'characters', 'sly.json'), JSON.stringify(card({ name: 'Sly', extensions: { 'persona-engine': { id: '../sly' } } })));
    const { code, stderr } = await persona(['interpret', '--character', 'sly', 'wave']);
    expect(code).toBe(1);
    expect(stderr).toMatch(/sly\.json is broken .*extensions\["persona-engine"\]\.id/);
  });
});
