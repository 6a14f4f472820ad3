/**
 * Additions (issue 19) through the real CLI process: the table agrees with each addition's committed
 * package.json and lockfile and the default install carries none of them; `persona add --list` says what
 * each enables and costs; `--provider llama` without its runtime is one line and exit 2, and with it
 * added the same command works. No network install runs here: `persona add desktop` below installs
 * from npm's cache only (npm_config_offline), which the README's test command filled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ADDITIONS, ADDITION_NAMES, additionManifestDir, missingAdditionLine } from '../../protocol/additions.js';
import { writeTinyGguf } from '../../persona/__tests__/tiny-gguf.js';

const persona = (args: string[], env: Record<string, string> = {}) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['bin/persona.js', ...args], { env: { ...process.env, ...env }, timeout: 90_000 }, (error, stdout, stderr) =>
      resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Record<string, any>;

let tmp: string;
let empty: string; // an additions dir with nothing added
beforeAll(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'persona-add-'));
  empty = path.join(tmp, 'none');
  writeTinyGguf(path.join(tmp, 'tiny.gguf'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the additions table', () => {
  it('pins each addition exactly, in its own package.json and lockfile; the project itself depends on none of them', () => {
    const root = readJson('package.json');
    const rootLock = readJson('package-lock.json');
    for (const name of ADDITION_NAMES) {
      const { package: pkg, version } = ADDITIONS[name];
      const manifest = readJson(path.join(additionManifestDir(name), 'package.json'));
      const lock = readJson(path.join(additionManifestDir(name), 'package-lock.json'));
      expect(manifest.dependencies, name).toEqual({ [pkg]: version });
      expect(lock.packages[''].dependencies, name).toEqual({ [pkg]: version });
      expect(lock.packages[`node_modules/${pkg}`].version, name).toBe(version);
      for (const field of ['dependencies', 'devDependencies', 'optionalDependencies', 'peerDependencies']) expect(root[field]?.[pkg], `${field} of package.json`).toBeUndefined();
      expect(rootLock.packages[`node_modules/${pkg}`], `package-lock.json has ${pkg}`).toBeUndefined();
    }
  });

  it('persona add --list names each addition, what it enables and what it costs', async () => {
    const { code, stdout } = await persona(['add', '--list'], { PERSONA_ADDITIONS_DIR: empty });
    expect(code).toBe(0);
    for (const name of ADDITION_NAMES) {
      const a = ADDITIONS[name];
      expect(stdout).toMatch(new RegExp(`^  ${name} +${a.package} ${a.version} +not added +${a.downloadMB} MB download, ${a.diskMB} MB on disk$`, 'm'));
      expect(stdout).toContain(a.enables);
    }
    const json = await persona(['add', '--list', '--json'], { PERSONA_ADDITIONS_DIR: empty });
    const rows = JSON.parse(json.stdout) as { name: string; version: string; added: boolean; dir: string }[];
    expect(rows.map((r) => [r.name, r.version, r.added, r.dir])).toEqual(ADDITION_NAMES.map((n) => [n, ADDITIONS[n].version, false, path.join(empty, n)]));
  });

  it('an unknown name, or none: one line listing the choices, exit 2', async () => {
    for (const args of [['add', 'gpu'], ['add']]) {
      const { code, stderr } = await persona(args);
      expect(code, args.join(' ')).toBe(2);
      expect(stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(stderr).toContain('llama, neural, desktop');
    }
  });
});

describe('--provider llama and its runtime', () => {
  it('without the runtime: interpret and serve say in one line how to add it, exit 2, and start nothing', async () => {
    const line = missingAdditionLine('llama');
    expect(line).toContain('run `npx persona add llama`');
    const gguf = { PERSONA_ADDITIONS_DIR: empty, PERSONA_LLAMA_MODEL: path.join(tmp, 'tiny.gguf'), PERSONA_DATA_DIR: path.join(tmp, 'data') };
    const interpret = await persona(['interpret', '--provider', 'llama', 'wave'], gguf);
    expect(interpret.code).toBe(2);
    expect(interpret.stderr.trim().split('\n')).toEqual([`persona interpret: ${line}`]);
    expect(interpret.stdout).toBe('');
    const serve = await persona(['serve', '--port', '0', '--voice', 'off'], { ...gguf, PERSONA_PROVIDER: 'llama' });
    expect(serve.code).toBe(2);
    expect(serve.stderr.trim().split('\n')).toEqual([`persona serve: ${line}`]);
    expect(serve.stdout).not.toContain('is live');
  });

  it('with the llama addition added (the README test command adds it): the same interpret answers', { timeout: 120_000 }, async () => {
    const again = await persona(['add', 'llama']);
    expect(again.stderr).toBe('');
    expect(again.stdout.trim()).toMatch(/^llama: node-llama-cpp 3\.21\.1 is already added \(/); // and ran no npm
    const { code, stdout, stderr } = await persona(['interpret', '--provider', 'llama', '--gguf', path.join(tmp, 'tiny.gguf'), 'wave'], { PERSONA_DATA_DIR: path.join(tmp, 'data') });
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const answer = JSON.parse(stdout) as { input: string; directives: unknown[]; reply: string };
    expect(answer.input).toBe('wave');
    expect(typeof answer.reply).toBe('string');
  });

  it('persona add installs an addition with npm ci from its lockfile (desktop, from the npm cache) and then lists it as added', { timeout: 120_000 }, async () => {
    const dir = path.join(tmp, 'own');
    const added = await persona(['add', 'desktop'], { PERSONA_ADDITIONS_DIR: dir, npm_config_offline: 'true' });
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toContain(`added desktop: ${ADDITIONS.desktop.enables}`);
    expect(added.stdout).toContain('ELECTRON_OVERRIDE_DIST_PATH');
    expect(readJson(path.join(dir, 'desktop/node_modules/electron/package.json')).version).toBe(ADDITIONS.desktop.version);
    const rows = JSON.parse((await persona(['add', '--list', '--json'], { PERSONA_ADDITIONS_DIR: dir })).stdout) as { name: string; added: boolean }[];
    expect(Object.fromEntries(rows.map((r) => [r.name, r.added]))).toEqual({ llama: false, neural: false, desktop: true });
  });
});
