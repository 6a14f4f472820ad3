/**
 * `npm run desktop` (app/desktop/launch.mjs) here, where there is no Electron: it says in one line how
 * to get it; with ELECTRON_OVERRIDE_DIST_PATH it starts that Electron on the bundled main process. The
 * Electron binary is the one thing a stand-in replaces (a shell script that records how it was started).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '../../..');
const LAUNCH = path.join(root, 'app/desktop/launch.mjs');
const DIST = path.join(root, 'app/desktop/dist');

const launch = (env: NodeJS.ProcessEnv, args: string[] = []) =>
  spawnSync(process.execPath, [LAUNCH, ...args], { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', timeout: 60_000 });

/** Every module a bundle requires at run time. */
const requires = (file: string) => [...new Set([...readFileSync(file, 'utf8').matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!))].sort();

describe('npm run desktop', () => {
  it('without Electron: exit 1 and one line saying how to get it', () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'no-electron-'));
    const line = (env: NodeJS.ProcessEnv) => {
      const result = launch({ ELECTRON_OVERRIDE_DIST_PATH: '', ...env });
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      return lines[0]!;
    };
    // The desktop addition not added (its folder elsewhere and empty).
    expect(line({ PERSONA_ADDITIONS_DIR: empty })).toMatch(
      /^npm run desktop needs Electron 45\.5\.0, which is not installed .*: run `npx persona add desktop`, then set ELECTRON_OVERRIDE_DIST_PATH to the folder of an unpacked Electron 45\.5\.0 release/,
    );
    // Pointed at a folder without Electron in it.
    expect(line({ ELECTRON_OVERRIDE_DIST_PATH: empty })).toMatch(/^npm run desktop: ELECTRON_OVERRIDE_DIST_PATH=.* holds no electron: point it at the folder of an unpacked Electron 45\.5\.0 release/);
  });

  it('with ELECTRON_OVERRIDE_DIST_PATH: bundles main and preload, and starts that Electron on them', () => {
    const dist = mkdtempSync(path.join(os.tmpdir(), 'stand-in-electron-'));
    const record = path.join(dist, 'started.json');
    const stand = path.join(dist, 'electron');
    writeFileSync(stand, `#!/bin/sh\nprintf '{"args":"%s","node":"%s"}' "$*" "$PERSONA_NODE" > "${record}"\nexit 0\n`);
    chmodSync(stand, 0o755);
    const result = launch({ ELECTRON_OVERRIDE_DIST_PATH: dist }, ['--ozone-platform=x11']);
    expect(result.stderr.replace(/^desktop: running as root.*\n/m, '')).toBe('');
    expect(result.status).toBe(0);
    const started = JSON.parse(readFileSync(record, 'utf8')) as { args: string; node: string };
    expect(started.args).toMatch(new RegExp(`${path.join(DIST, 'main.cjs').replace(/[.]/g, '\\.')} --ozone-platform=x11$`));
    expect(started.node).toBe(process.execPath);
  });

  it('the packaging config names the Electron version the desktop addition pins', async () => {
    const { ADDITIONS } = await import('../../../protocol/additions.js');
    const config = readFileSync(path.join(root, 'app/desktop/electron-builder.yml'), 'utf8');
    expect(/^electronVersion: (\S+)$/m.exec(config)?.[1]).toBe(ADDITIONS.desktop.version);
    expect(/^ {2}main: (\S+)$/m.exec(config)?.[1]).toBe('app/desktop/dist/main.cjs');
  });

  it('the bundles: a preload that requires nothing but electron (a sandboxed preload can require nothing else), a main process with only Node built-ins', () => {
    expect(launch({}, ['--bundle-only']).status).toBe(0);
    expect(requires(path.join(DIST, 'preload.cjs'))).toEqual(['electron']);
    for (const name of requires(path.join(DIST, 'main.cjs'))) expect(name, `main.cjs requires ${name}`).toMatch(/^(electron|node:[a-z_/]+)$/);
  });
});
