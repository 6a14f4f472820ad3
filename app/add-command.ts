/**
 * `persona add <name...>`: installs additions (protocol/additions.ts) — the heavy optional runtimes the
 * default install leaves out — each with `npm ci` in its own folder, from its committed lockfile.
 * `persona add --list` shows each one: what it enables, what it costs, whether it is added.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ADDITION_NAMES,
  ADDITIONS,
  additionDir,
  additionManifestDir,
  installedVersion,
  isAdded,
  type Addition,
  type AdditionName,
} from '../protocol/additions.js';
import { ConfigError } from './persona-commands.js';

export const ADD_HELP = `persona add <name...> — install optional runtimes the default install leaves out (pinned versions, npm ci from a lockfile)

  persona add llama           node-llama-cpp, for --provider llama (a local .gguf model)
  persona add neural          onnxruntime-node, for the neural frame source
  persona add desktop         electron, for the desktop shell
  --list          what each enables and costs (download, disk), and whether it is added
  --json          with --list: one JSON array

  Each goes into additions/<name>/ (or PERSONA_ADDITIONS_DIR/<name>); npm install and npm ci of the project leave it there.`;

const sizes = (a: Addition) => `${a.downloadMB} MB download, ${a.diskMB} MB on disk`;

const list = (json: boolean): number => {
  const rows = ADDITION_NAMES.map((name) => {
    const a: Addition = ADDITIONS[name];
    return { name, package: a.package, version: a.version, added: isAdded(name), installed: installedVersion(name), enables: a.enables, downloadMB: a.downloadMB, diskMB: a.diskMB, dir: additionDir(name) };
  });
  if (json) {
    console.log(JSON.stringify(rows));
    return 0;
  }
  console.log('additions (persona add <name>), pinned, each installed with npm ci into its own folder:');
  for (const row of rows) {
    const status = row.added ? 'added' : row.installed ? `not added (${row.installed} there; add to get ${row.version})` : 'not added';
    console.log(`  ${row.name.padEnd(8)} ${`${row.package} ${row.version}`.padEnd(24)} ${status.padEnd(10)}  ${sizes(ADDITIONS[row.name])}`);
    console.log(`  ${''.padEnd(8)} ${row.enables}`);
  }
  return 0;
};

/** npm ci in the addition's folder (its manifest and lockfile copied there first when PERSONA_ADDITIONS_DIR moves it). */
const install = (name: AdditionName): number => {
  const a: Addition = ADDITIONS[name];
  const dir = additionDir(name);
  if (isAdded(name)) {
    console.log(`${name}: ${a.package} ${a.version} is already added (${dir})`);
    return 0;
  }
  const manifest = additionManifestDir(name);
  if (path.resolve(dir) !== path.resolve(manifest)) {
    mkdirSync(dir, { recursive: true });
    for (const file of ['package.json', 'package-lock.json']) copyFileSync(path.join(manifest, file), path.join(dir, file));
  }
  console.log(`adding ${name}: ${a.package} ${a.version} (${sizes(a)}) into ${dir}`);
  // --prefix: npm run through npx carries the project's own prefix in its environment.
  const npm = spawnSync('npm', ['ci', '--prefix', dir, '--no-audit', '--no-fund'], { stdio: 'inherit', env: { ...a.installEnv, ...process.env } });
  if (npm.error) throw new Error(`cannot run npm: ${npm.error.message}`);
  if (npm.status !== 0 || !isAdded(name)) throw new Error(`${name}: npm ci in ${dir} failed (exit ${npm.status ?? npm.signal}); npm's output above says why`);
  console.log(`added ${name}: ${a.enables}`);
  if (a.afterAdd) console.log(`  ${a.afterAdd}`);
  return 0;
};

export const add = (args: string[]): number => {
  const { values, positionals } = parseArgs({ args, options: { list: { type: 'boolean' }, json: { type: 'boolean' } }, allowPositionals: true });
  if (values.list) return list(values.json ?? false);
  const unknown = positionals.filter((name) => !(ADDITION_NAMES as string[]).includes(name));
  if (unknown.length) throw new ConfigError([`no addition named ${unknown.map((n) => JSON.stringify(n)).join(', ')}: choose from ${ADDITION_NAMES.join(', ')} (persona add --list)`]);
  if (!positionals.length) throw new ConfigError([`name what to add: ${ADDITION_NAMES.join(', ')} (persona add --list shows what each enables and costs)`]);
  for (const name of new Set(positionals as AdditionName[])) install(name);
  return 0;
};
