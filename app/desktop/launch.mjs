#!/usr/bin/env node
// `npm run desktop`: bundles the desktop app's main process and preload (esbuild, ~0.3 s) into app/desktop/dist/
// and starts Electron on it. Electron is not part of the default install; without it this says, in one line, how to get it.
// `--bundle-only` bundles and stops (tests, packaging). Other arguments go to Electron (e.g. --ozone-platform=x11).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { register } from 'tsx/esm/api';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
export const DIST = path.join(here, 'dist');

/** main.cjs and preload.cjs: CommonJS, since a sandboxed preload must be one CommonJS file that requires only 'electron'. */
export const bundleDesktop = () =>
  build({
    absWorkingDir: root,
    entryPoints: { main: 'app/desktop/main.ts', preload: 'app/desktop/preload.ts' },
    outdir: DIST,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: ['electron'],
    sourcemap: true,
    logLevel: 'warning',
  });

const EXECUTABLE = { darwin: 'Electron.app/Contents/MacOS/Electron', win32: 'electron.exe' }[process.platform] ?? 'electron';

/**
 * Electron's executable: ELECTRON_OVERRIDE_DIST_PATH when set, else the binary of the `desktop` addition's
 * electron package (`npx persona add desktop` installs the package; its binary is a download of its own).
 * Returns `{ executable }`, or `{ missing }`: the one line that says how to get it.
 */
export const findElectron = async () => {
  register();
  const { ADDITIONS, additionDir } = await import('../../protocol/additions.ts');
  const version = ADDITIONS.desktop.version;
  const release = `the folder of an unpacked Electron ${version} release (electron-v${version}-${process.platform}-${process.arch}.zip from github.com/electron/electron/releases)`;
  const dist = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (dist) {
    const executable = path.join(dist, EXECUTABLE);
    return existsSync(executable) ? { executable } : { missing: `npm run desktop: ELECTRON_OVERRIDE_DIST_PATH=${dist} holds no ${EXECUTABLE}: point it at ${release}` };
  }
  const pkg = path.join(additionDir('desktop'), 'node_modules', 'electron');
  if (!existsSync(path.join(pkg, 'package.json'))) {
    return { missing: `npm run desktop needs Electron ${version}, which is not installed (it is not part of the default install): run \`npx persona add desktop\`, then set ELECTRON_OVERRIDE_DIST_PATH to ${release}` };
  }
  const pathFile = path.join(pkg, 'path.txt');
  const executable = existsSync(pathFile) ? path.join(pkg, 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
  if (executable && existsSync(executable)) return { executable };
  const installer = path.relative(process.cwd(), path.join(pkg, '..', '.bin', 'install-electron')) || 'install-electron';
  return { missing: `npm run desktop needs Electron ${version}'s binary, which the desktop addition does not download: run \`${installer}\` where GitHub is reachable, or set ELECTRON_OVERRIDE_DIST_PATH to ${release}` };
};

const run = async () => {
  const args = process.argv.slice(2);
  const bundleOnly = args.includes('--bundle-only');
  const electron = bundleOnly ? null : await findElectron();
  if (electron?.missing) {
    console.error(electron.missing);
    return 1;
  }
  await bundleDesktop();
  if (bundleOnly) {
    console.log(`desktop: bundled ${path.relative(root, DIST)}/{main,preload}.cjs`);
    return 0;
  }
  const extra = [];
  // Chromium's own sandbox cannot start as root; without this flag Electron refuses to run at all.
  if (process.platform === 'linux' && process.getuid?.() === 0) {
    console.warn('desktop: running as root, so Chromium\'s OS sandbox is off (--no-sandbox); run as a normal user to keep it');
    extra.push('--no-sandbox');
  }
  const child = spawn(electron.executable, [...extra, path.join(DIST, 'main.cjs'), ...args], {
    stdio: 'inherit',
    // The server child runs on this Node, whose ABI the native modules were built for.
    env: { ...process.env, PERSONA_NODE: process.execPath },
  });
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
};

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = await run();
