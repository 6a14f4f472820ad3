/**
 * `npm run fuzz [-- options]`: the long fuzz run (bench/fuzz.ts). Writes the JSON report (default
 * bench/results/fuzz.json), prints a summary, and exits 1 when any case failed (a crash, a 5xx, a
 * hang, an answer without a reason, the server unhealthy after a batch).
 *
 *   --seed N        seed of the run (default: from the clock; printed, so a run can be repeated)
 *   --ws N          WebSocket cases (default 100000)
 *   --http N        HTTP cases (default 5000)
 *   --sdp N         WHEP offer and trickle cases (default 2000)
 *   --cards N       Character Card cases through the parser (default 1000)
 *   --card-cli N    of those, how many also go through `persona import-card` (default 10)
 *   --batches N     health and honest-chat checks after each of N batches (default 20)
 *   --settle S      seconds the server idles before the memory readings before and after (default 20;
 *                   V8 gives back a young generation grown under load only after a few quiet seconds)
 *   --case T:I      replay one case, e.g. --case ws:123 (with the --seed it failed under)
 *   --out PATH      where the JSON report goes (default bench/results/fuzz.json; none for --case)
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runFuzz, summarize } from './fuzz.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    ws: { type: 'string', default: '100000' },
    http: { type: 'string', default: '5000' },
    sdp: { type: 'string', default: '2000' },
    cards: { type: 'string', default: '1000' },
    'card-cli': { type: 'string', default: '10' },
    batches: { type: 'string', default: '20' },
    settle: { type: 'string', default: '20' },
    case: { type: 'string' },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

if (values.help) {
  const { readFileSync } = await import('node:fs');
  const { fileURLToPath } = await import('node:url');
  process.stdout.write(`${/\/\*\*([\s\S]*?)\*\//.exec(readFileSync(fileURLToPath(import.meta.url), 'utf8'))![1]!.replace(/^ \* ?/gm, '').trim()}\n`);
  process.exit(0);
}

const count = (name: string, text: string | undefined) => {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`fuzz: --${name} must be a whole number, got "${text}"\n`);
    process.exit(2);
  }
  return n;
};
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : count('seed', values.seed);
process.stderr.write(`fuzz: seed ${seed}${values.case ? `, case ${values.case}` : ''}\n`);

const report = await runFuzz({
  seed,
  wsCases: count('ws', values.ws),
  httpCases: count('http', values.http),
  sdpCases: count('sdp', values.sdp),
  cardCases: count('cards', values.cards),
  cardCliCases: count('card-cli', values['card-cli']),
  batches: Math.max(1, count('batches', values.batches)),
  settleS: values.case ? 0 : count('settle', values.settle),
  wsLanes: 12,
  only: values.case,
  onProgress: (line) => process.stderr.write(`fuzz: ${line}\n`),
});

if (values.case) {
  // One case: what it sent and how it was answered.
  const target = values.case.split(':')[0] as keyof typeof report.answers;
  process.stdout.write(`${JSON.stringify({ answers: report.answers[target], examples: report.examples[target], failures: report.failures, knownBugs: report.knownBugs }, null, 2)}\n`);
}
const outPath = values.out ?? (values.case ? undefined : 'bench/results/fuzz.json');
if (outPath) {
  const out = path.resolve(outPath);
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`${summarize(report)}\nreport: ${path.relative(process.cwd(), out)}\n`);
} else process.stdout.write(`${summarize(report)}\n`);
// Leave at once: @roamhq/wrtc's finalizers can abort during Node's teardown (see bin/persona.js).
process.exit(report.failures.length ? 1 : 0);
