/**
 * `persona sources [--json]` (the frame-source registry) and `persona models verify DIR` (a diffusion
 * model set: names, shapes, sizes, sha256). Loading a source with a progress bar is `persona serve
 * --source diffusion` (the bar is printed while it loads).
 */
import { parseArgs } from 'node:util';
import { describeSources } from '../native/source-registry.js';
import { importOnnxRuntime, verifyModels, defaultModelsDir } from '../native/diffusion-models.js';
import { resolveDataDir } from '../persona/conversation-store.js';
import type { SourceStatus } from '../protocol/frame-source.js';

export const SOURCES_HELP = `persona sources — list the frame sources: id, what each needs, its settings (JSON Schema with --json)

  --json          print [{ id, label, description, configSchema, artifacts, requires }]
Switch a running server's source with POST /api/source {"id":"diffusion","config":{...}} or the UI.`;

export const MODELS_HELP = `persona models verify [DIR] — check a diffusion model set: every file there, each ONNX file's input and
output names and shapes, sizes and sha256 (docs/diffusion.md). DIR defaults to PERSONA_MODELS_DIR, else <data dir>/models.
Needs the neural addition (npx persona add neural). Exit 0 when the set is complete, 1 otherwise.

  --json          print { ok, dir, files: [{ path, bytes, sha256, inputs, outputs, problems }] }`;

export const sources = (args: string[]): number => {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' } } });
  const list = describeSources();
  if (values.json) {
    console.log(JSON.stringify(list));
    return 0;
  }
  for (const s of list) {
    const needs = [s.requires.package ? `needs ${s.requires.package.name} (${s.requires.package.install})` : 'built in', s.requires.gpu === 'none' ? 'CPU' : `GPU ${s.requires.gpu}`];
    console.log(`${s.id.padEnd(10)} ${s.label} — ${needs.join('; ')}`);
    console.log(`${''.padEnd(10)} ${s.description}`);
    const props = Object.keys((s.configSchema.properties as Record<string, unknown>) ?? {});
    if (props.length) console.log(`${''.padEnd(10)} settings: ${props.join(', ')}`);
    if (s.artifacts.length) console.log(`${''.padEnd(10)} files: ${s.artifacts.map((a) => a.path).join(', ')}`);
  }
  return 0;
};

export const models = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean' } }, allowPositionals: true });
  const [sub, dirArg] = positionals;
  if (sub !== 'verify') throw new Error(`unknown models command "${sub ?? ''}": use \`persona models verify [DIR]\``);
  const dir = dirArg ?? defaultModelsDir(resolveDataDir());
  const ort = await importOnnxRuntime();
  const report = await verifyModels(dir, ort);
  if (values.json) {
    console.log(JSON.stringify({ ok: report.ok, dir, files: report.files }));
    return report.ok ? 0 : 1;
  }
  for (const f of report.files) {
    const size = f.bytes === null ? '' : ` ${(f.bytes / 1e6).toFixed(1)} MB sha256 ${f.sha256?.slice(0, 16)}…`;
    console.log(`${f.problems.length ? 'FAIL' : 'ok  '} ${f.path}${size}`);
    for (const io of [...f.inputs.map((i) => ['in ', i] as const), ...f.outputs.map((o) => ['out', o] as const)]) console.log(`       ${io[0]} ${io[1].name} ${io[1].type} ${JSON.stringify(io[1].shape)}`);
    for (const p of f.problems) console.log(`       ! ${p}`);
  }
  console.log(report.ok ? `${dir}: a complete model set` : `${dir}: not usable yet (see the lines marked !)`);
  return report.ok ? 0 : 1;
};

/** A one-line progress bar on stderr for a source that loads (a TensorRT engine build takes minutes). */
export const printSourceProgress = (status: SourceStatus): void => {
  if (status.state === 'loading' && status.progress) {
    const width = 24;
    const done = Math.round(status.progress.fraction * width);
    process.stderr.write(`\rpersona: loading ${status.requested} [${'#'.repeat(done)}${'.'.repeat(width - done)}] ${Math.round(status.progress.fraction * 100)}% ${status.progress.stage.slice(0, 60).padEnd(60)}`);
  } else if (status.state === 'ready' && status.requested !== 'puppet' && status.requested !== 'control') {
    process.stderr.write(`\rpersona: ${status.active} ready${status.provider ? ` on ${status.provider}` : ''}${' '.repeat(80)}\n`);
  } else if (status.state === 'failed') {
    process.stderr.write(`\rpersona: ${status.error}${' '.repeat(20)}\n`);
  }
};
