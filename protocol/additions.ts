/**
 * Additions: the heavy optional runtimes that the default install leaves out. Each is one row of
 * ADDITIONS (package, exact version, what it enables, what it costs) and one folder,
 * additions/<name>/, whose package.json and package-lock.json pin its whole tree. `persona add <name>`
 * runs `npm ci` there, so the install is reproducible, and the project's own `npm install` / `npm ci`
 * never touch it. Code that needs an addition loads it with `importAddition(name)`, only when the
 * feature is chosen; a missing one is an `AdditionMissing` error with one line saying how to add it.
 *
 * Why not npm's own optional kinds (checked with npm 11): optionalDependencies are installed by default;
 * a root optional peer dependency is never installed, even by `npm install <it>` ("up to date"); and a
 * `npm install --no-save` is removed again by the next plain `npm install`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export interface Addition {
  /** The npm package it installs, at exactly `version`. */
  package: string;
  version: string;
  /** What choosing it makes possible, and the option that chooses it. */
  enables: string;
  /** Who asks for it, for the "not installed" line: `${neededBy} needs …`. */
  neededBy: string;
  /** Variables set for its install (the caller's environment wins where it sets the same name). */
  installEnv: Record<string, string>;
  /** Measured on linux-x64 with an empty npm cache: the tarballs fetched and the folder it leaves. */
  downloadMB: number;
  diskMB: number;
  /** Said after it is added. */
  afterAdd?: string;
}

/** The table. Change a version here and in additions/<name>/package.json, then `npm install --package-lock-only` there (a test checks they agree). */
export const ADDITIONS = {
  llama: {
    package: 'node-llama-cpp',
    version: '3.21.1',
    enables: '--provider llama: a local .gguf model interprets chat, on the CPU (prebuilt llama.cpp, no compile)',
    neededBy: 'provider "llama"',
    installEnv: {},
    downloadMB: 395,
    diskMB: 732,
  },
  neural: {
    package: 'onnxruntime-node',
    version: '1.30.0',
    enables: 'the neural (diffusion) frame source: ONNX Runtime on the CPU (its CUDA download skipped)',
    neededBy: 'the neural frame source',
    installEnv: { ONNXRUNTIME_NODE_INSTALL: 'skip' },
    downloadMB: 110,
    diskMB: 291,
  },
  desktop: {
    package: 'electron',
    version: '45.5.0',
    enables: 'the desktop shell: the character in a transparent always-on-top window',
    neededBy: 'the desktop shell',
    installEnv: { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' },
    downloadMB: 18,
    diskMB: 15,
    afterAdd: "Electron's own binary is not downloaded: set ELECTRON_OVERRIDE_DIST_PATH to the folder of a local Electron 45 build",
  },
} as const satisfies Record<string, Addition>;

export type AdditionName = keyof typeof ADDITIONS;
export const ADDITION_NAMES = Object.keys(ADDITIONS) as AdditionName[];

/** The checkout's root (this file is protocol/additions.ts). */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Where an addition's package.json and lockfile live in the checkout. */
export const additionManifestDir = (name: AdditionName): string => path.join(ROOT, 'additions', name);

/** Where an addition is installed: <PERSONA_ADDITIONS_DIR, default the checkout's additions/>/<name>. */
export const additionDir = (name: AdditionName, env: Record<string, string | undefined> = process.env): string =>
  path.join(env.PERSONA_ADDITIONS_DIR ? path.resolve(env.PERSONA_ADDITIONS_DIR) : path.join(ROOT, 'additions'), name);

/** The version of the addition's package installed in its folder, or null. */
export const installedVersion = (name: AdditionName, env?: Record<string, string | undefined>): string | null => {
  const manifest = path.join(additionDir(name, env), 'node_modules', ADDITIONS[name].package, 'package.json');
  if (!existsSync(manifest)) return null;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
};

/** True when the pinned version is installed. */
export const isAdded = (name: AdditionName, env?: Record<string, string | undefined>): boolean => installedVersion(name, env) === ADDITIONS[name].version;

/** The one line that says what is missing and how to add it. */
export const missingAdditionLine = (name: AdditionName): string => {
  const a: Addition = ADDITIONS[name];
  return `${a.neededBy} needs ${a.package} ${a.version}, which is not installed: run \`npx persona add ${name}\` (${a.downloadMB} MB download, ${a.diskMB} MB on disk)`;
};

export class AdditionMissing extends Error {
  constructor(readonly addition: AdditionName) {
    super(missingAdditionLine(addition));
    this.name = 'AdditionMissing';
  }
}

/**
 * Imports the addition's package from its folder (resolved as Node resolves it from there), or throws
 * AdditionMissing. `T` is the package's module type: `importAddition<typeof import('node-llama-cpp')>('llama')`
 * (tsconfig.json maps the package names to the additions' folders for the type checker).
 */
export const importAddition = async <T>(name: AdditionName): Promise<T> => {
  if (!isAdded(name)) throw new AdditionMissing(name);
  const dir = additionDir(name);
  const entry = createRequire(path.join(dir, 'package.json')).resolve(ADDITIONS[name].package);
  return (await import(pathToFileURL(entry).href)) as T;
};
