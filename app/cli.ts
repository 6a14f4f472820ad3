/** The `persona` command: serve, interpret, import-card, add, vocabulary, trace, bench, soak. Each takes --help. */
import { writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import type { z } from 'zod';
import { startServer } from './server.js';
import { ConfigError, PROVIDER_FLAGS, PROVIDER_HELP, personaConfigInput, interpret, importCard } from './persona-commands.js';
import { SAY_HELP, say } from './say-command.js';
import { MCP_HELP, mcp } from './mcp-command.js';
import { ADD_HELP, add } from './add-command.js';
import { AdditionMissing } from '../protocol/additions.js';
import { REPLAY_HELP, replay } from './replay-command.js';
import { ServerConfigSchema } from '../protocol/config.js';
import { getCharacter } from '../characters/index.js';
import { actionNames, expressionNames } from '../characters/vocabulary.js';
import { FRAME_SOURCE_IDS as FRAME_SOURCES, type FrameSourceId as FrameSourceName } from '../protocol/frame-source.js';
import { MODELS_HELP, SOURCES_HELP, models, printSourceProgress, sources } from './source-commands.js';

const USAGE = `persona — a real-time interactive AI persona engine

Usage:
  persona serve [--host 127.0.0.1] [--port 7860] [--fps 30|60] [--size 512] [--character aria] [--source puppet|control] [--token T] [--provider embedded|openai|llama]
  persona interpret "<line>" [--character aria] [--provider embedded|openai|llama]
  persona interpret --jsonl [--provider …] < lines.txt
  persona import-card FILE.png|FILE.json
  persona add llama|neural|desktop …   (persona add --list: what each enables and costs)
  persona say "<text>" --out speech.wav [--timeline mouth.json] [--character aria]
  persona mcp [--character aria] [--port 7860]   (an MCP server on stdio, for agent clients)
  persona replay FILE.jsonl --out clip.webm [--size 1024] [--fps 60] [--character ID]
  persona vocabulary [--json] [--character aria]
  persona sources [--json]
  persona models verify [DIR]
  persona trace [--seconds 10] [--out persona-trace.json] [--url http://127.0.0.1:7860] [--token T]
  persona bench [--out bench/results/latest.json] [--quick]
  persona soak [--minutes 30] [--out bench/results/soak.json]
  persona <command> --help
  persona --version`;

const HELP: Record<string, string> = {
  say: SAY_HELP,
  mcp: MCP_HELP,
  add: ADD_HELP,
  replay: REPLAY_HELP,
  serve: `persona serve — run the engine and serve the UI

  --host H        interface to bind (default 127.0.0.1; env PERSONA_HOST). Beyond loopback a token is required.
  --port N        TCP port (default 7860; 0 picks a free one; env PERSONA_PORT)
  --fps 30|60     engine tick rate (default 30; env PERSONA_FPS)
  --size N        frame width and height in pixels, an even number from 64 to 2048 (default 512; env PERSONA_SIZE)
  --character ID  character to load (default aria; env PERSONA_CHARACTER)
  --session N=ID  serve a session named N with character ID; repeat for more (the first is the default: /, /ws, /whep);
                  each has /?session=N and /whep/N (default: one session "default" with --character; env PERSONA_SESSIONS="n=id,n=id")
  --source S      frame source: puppet (the character), control (OpenPose skeleton on black) or diffusion (neural frames:
                  needs \`npx persona add neural\` and a model set in PERSONA_MODELS_DIR; the puppet shows while it loads
                  or if it cannot) (default puppet; env PERSONA_SOURCE). \`persona sources\` lists them; switch live with POST /api/source
  --voice on|off  speak replies aloud, lips in sync (default on; needs espeak-ng, else she stays silent and says so; env PERSONA_VOICE)
  --voice-url U   speak with an OpenAI-compatible /v1/audio/speech server instead (env PERSONA_VOICE_URL; key: PERSONA_VOICE_API_KEY)
  --token T       bearer token for the API, WebSocket and WHEP (16+ characters; env PERSONA_TOKEN); the URL printed at start carries it
  --max-viewers N most WHEP viewers at once (default 10; env PERSONA_MAX_VIEWERS)
  --background C  colour behind the persona in WebRTC video, #rrggbb (default #262a35; env PERSONA_BACKGROUND)
  --whip-url URL  also push the (first session's) video to this WHIP ingest (LiveKit, Janus, OBS, Cloudflare); retries with backoff (env PERSONA_WHIP_URL)
  --whip-token T  bearer token for that ingest (env PERSONA_WHIP_TOKEN)
  --record FILE   record the (first) session's inputs with their ticks to FILE, JSONL, for \`persona replay\` (env PERSONA_RECORD)
  --profile-cpu   also measure each tick's CPU time: the profiler then shows how much of a slow tick was waiting for the CPU (env PERSONA_PROFILE_CPU=1)

${PROVIDER_HELP}

Watch the stream at /viewer (any browser), /obs (an OBS browser source), or POST a WHEP offer to /whep.`,
  interpret: `persona interpret "<line>" — print { "input", "directives", "reply" } for a line as one JSON line

  --jsonl         read one line of text per input line from stdin; write one JSON line per input, in order
                  (a line over 64 KiB gets a JSON line with an "error" and is skipped)
  --character ID  whose vocabulary and voice to use (default aria)
${PROVIDER_HELP}`,
  'import-card': `persona import-card FILE — import a Character Card V2/V3 (.json, or .png with the card embedded)

  Writes the card (with the engine's data added) to <data dir>/characters/<id>.json (data dir: PERSONA_DATA_DIR,
  default ~/.persona-engine) and prints its id; then --character <id> works for serve and interpret. Unknown extension keys are kept; the engine's own data sits under extensions["persona-engine"].`,

  sources: SOURCES_HELP,
  models: MODELS_HELP,
  vocabulary: `persona vocabulary — list what a character can do: actions, expressions, gaze targets

  --json          print { "actions": [...], "expressions": [...], "gaze": [...] } with the canonical names
  --character ID  whose vocabulary (default aria)`,
  trace: `persona trace — save the last N seconds of a running server's frame timings as Chrome Trace Event JSON
(open it in https://ui.perfetto.dev or chrome://tracing)

  --seconds N     how much to save, 1–60 (default 10)
  --out FILE      where to write it (default persona-trace.json)
  --url URL       the running server (default http://127.0.0.1:7860; env PERSONA_URL)
  --token T       its bearer token, if it has one (env PERSONA_TOKEN)`,
  soak: `persona soak — run one session under random directives for a while; report RSS drift, dropped frames, tick percentiles

  --minutes N     how long (default 30)
  --out PATH      where to write the JSON (default bench/results/soak.json)`,
  bench: `persona bench — measure tick, native fill and action latency; write JSON (asserts nothing)

  --out PATH      where to write the JSON (default bench/results/latest.json)
  --quick         fewer samples, for a fast look`,
};

const env = process.env;

/** Where each setting comes from: its flag and its environment variable (the variable is named when the flag was not given). */
const SETTING_SOURCES: Record<string, [flag: string | undefined, variable: string | undefined]> = {
  host: ['host', 'PERSONA_HOST'],
  port: ['port', 'PERSONA_PORT'],
  fps: ['fps', 'PERSONA_FPS'],
  width: ['size', 'PERSONA_SIZE'],
  height: ['size', 'PERSONA_SIZE'],
  character: ['character', 'PERSONA_CHARACTER'],
  sessions: ['session', 'PERSONA_SESSIONS'],
  source: ['source', 'PERSONA_SOURCE'],
  voice: ['voice', 'PERSONA_VOICE'],
  voiceUrl: ['voice-url', 'PERSONA_VOICE_URL'],
  maxViewers: ['max-viewers', 'PERSONA_MAX_VIEWERS'],
  background: ['background', 'PERSONA_BACKGROUND'],
  whipUrl: ['whip-url', 'PERSONA_WHIP_URL'],
  whipToken: ['whip-token', 'PERSONA_WHIP_TOKEN'],
  profileCpu: ['profile-cpu', 'PERSONA_PROFILE_CPU'],
  record: ['record', 'PERSONA_RECORD'],
  token: ['token', 'PERSONA_TOKEN'],
  'persona.provider': ['provider', 'PERSONA_PROVIDER'],
  'persona.dataDir': [undefined, 'PERSONA_DATA_DIR'],
  'persona.openai.baseUrl': ['base-url', env.PERSONA_OPENAI_BASE_URL === undefined && env.OPENAI_BASE_URL !== undefined ? 'OPENAI_BASE_URL' : 'PERSONA_OPENAI_BASE_URL'],
  'persona.openai.model': ['model', 'PERSONA_OPENAI_MODEL'],
  'persona.openai.apiKey': [undefined, 'PERSONA_OPENAI_API_KEY'],
  'persona.openai.timeoutMs': [undefined, 'PERSONA_OPENAI_TIMEOUT_MS'],
  'persona.openai.structuredOutput': [undefined, 'PERSONA_OPENAI_STRUCTURED'],
  'persona.llama.modelPath': ['gguf', 'PERSONA_LLAMA_MODEL'],
};
/** Values never echoed back in an error. */
const SECRETS = new Set(['token', 'whipToken', 'persona.openai.apiKey']);

/** A value for an error line: at most about 80 characters of it. */
const preview = (value: unknown) => {
  const shown = JSON.stringify(value) ?? String(value);
  return shown.length > 80 ? `${shown.slice(0, 77)}…` : shown;
};

/** "--token: must be at least 16 characters" for one zod issue of ServerConfigSchema (or of PersonaConfigSchema under `persona.`). */
const describeSettingIssue = (issue: z.core.$ZodIssue, input: unknown, given: Record<string, unknown>): string => {
  const key = issue.path.filter((p) => typeof p === 'string').join('.');
  const setting = Object.keys(SETTING_SOURCES).find((k) => key === k || key.startsWith(`${k}.`));
  const [flag, variable] = setting ? SETTING_SOURCES[setting]! : [undefined, undefined];
  const name = flag && (given[flag] !== undefined || !variable || env[variable] === undefined) ? `--${flag}` : (variable ?? (key || 'settings'));
  const got = issue.path.reduce<unknown>((v, p) => (typeof v === 'object' && v !== null ? (v as Record<PropertyKey, unknown>)[p] : undefined), input);
  const echo = setting && SECRETS.has(setting) ? '' : ` (got ${preview(got)})`;
  const oneOf = (values: readonly unknown[]) => `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}${echo}`;
  switch (issue.code) {
    case 'too_small':
    case 'too_big': {
      const bound = issue.code === 'too_small' ? `at least ${String(issue.minimum)}` : `at most ${String(issue.maximum)}`;
      if (issue.origin === 'string') return issue.code === 'too_small' && Number(issue.minimum) === 1 ? `${name}: must not be empty` : `${name}: must be ${bound} characters`;
      if (issue.origin === 'array') return `${name}: must have ${bound}`;
      return `${name}: must be ${bound}${echo}`;
    }
    case 'invalid_value':
      return `${name}: ${oneOf(issue.values)}`;
    case 'invalid_union': {
      const values = issue.errors.flat().flatMap((sub) => (sub.code === 'invalid_value' ? sub.values : []));
      return values.length ? `${name}: ${oneOf(values)}` : `${name}: ${issue.message}${echo}`;
    }
    case 'invalid_format':
      if (issue.format === 'regex') return `${name}: ${issue.message}${echo}`; // the schema's own words
      return `${name}: must be ${issue.format === 'url' ? 'a URL' : `a valid ${issue.format}`}${echo}`;
    case 'invalid_type':
      return `${name}: must be ${issue.expected === 'string' ? 'text' : `a ${issue.expected}`}${echo}`;
    default:
      return `${name}: ${issue.message}${echo}`;
  }
};

/**
 * parseArgs with negative numbers taken as values: `--max-viewers -1` reaches the settings check
 * ("must be at least 1") instead of parseArgs' "argument is ambiguous".
 */
const parseFlags = <T extends ParseArgsConfig['options']>(args: string[], options: T) => {
  const joined = args.flatMap((arg, i) => {
    const previous = args[i - 1];
    const takesValue = previous?.startsWith('--') && !previous.includes('=') && options?.[previous.slice(2)]?.type === 'string';
    if (takesValue && /^-\d/.test(arg)) return []; // joined to its flag below
    const next = args[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && options?.[arg.slice(2)]?.type === 'string' && next !== undefined && /^-\d/.test(next)) return [`${arg}=${next}`];
    return [arg];
  });
  return parseArgs({ args: joined, options });
};

const packageVersion = (): string =>
  (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export const main = async (argv: string[]): Promise<number> => {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v') {
    console.log(packageVersion());
    return 0;
  }
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 1;
  }
  if (!(command in HELP)) {
    console.error(`unknown command "${command}"\n\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(HELP[command]);
    return 0;
  }
  try {
    if (command === 'serve') return await serve(rest);
    if (command === 'interpret') return await interpret(rest);
    if (command === 'import-card') return await importCard(rest);
    if (command === 'say') return await say(rest);
    if (command === 'mcp') return await mcp(rest);
    if (command === 'add') return add(rest);
    if (command === 'replay') return await replay(rest);
    if (command === 'vocabulary') return vocabulary(rest);
    if (command === 'sources') return sources(rest);
    if (command === 'models') return await models(rest);
    if (command === 'trace') return await trace(rest);
    if (command === 'soak') {
      const { runSoak } = await import('../bench/soak.js');
      const { values } = parseFlags(rest, { minutes: { type: 'string' }, out: { type: 'string' } });
      const minutes = Number(values.minutes ?? 30);
      if (!(minutes > 0)) throw new ConfigError([`--minutes: must be a positive number (got ${preview(values.minutes)})`]);
      await runSoak({ minutes, out: values.out ?? 'bench/results/soak.json' });
      return 0;
    }
    const { runBench } = await import('../bench/run.js');
    const { values } = parseFlags(rest, { out: { type: 'string' }, quick: { type: 'boolean' } });
    await runBench({ out: values.out ?? 'bench/results/latest.json', quick: values.quick ?? false });
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      // Every command's bad settings look the same: one line a problem, naming the flag or variable; exit 2.
      const { invalid } = error;
      const described = invalid?.issues.map((issue) => describeSettingIssue(issue, invalid.input, invalid.given)) ?? [];
      // One line a setting: --size 5 is both too small and odd; the first rule it breaks says enough.
      const firstPerSetting = described.filter((line, i) => described.findIndex((other) => other.split(': ')[0] === line.split(': ')[0]) === i);
      const problems = [...new Set([...error.problems, ...firstPerSetting])];
      const [only, ...more] = problems;
      console.error(more.length ? `persona ${command}: bad settings:\n${problems.map((p) => `  ${p}`).join('\n')}` : `persona ${command}: ${only}`);
      return 2;
    }
    if (error instanceof AdditionMissing) {
      // A feature whose runtime is not installed: one line saying how to add it; exit 2 like any bad setting.
      console.error(`persona ${command}: ${error.message}`);
      return 2;
    }
    if ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS_')) {
      // An unknown flag or one without its value is a bad setting too.
      console.error(`persona ${command}: ${(error as Error).message}\n(persona ${command} --help lists its flags)`);
      return 2;
    }
    console.error(`persona ${command}: ${(error as Error).message}`);
    return 1;
  }
};

const serve = async (args: string[]): Promise<number> => {
  const { values } = parseFlags(args, {
    host: { type: 'string' },
    port: { type: 'string' },
    fps: { type: 'string' },
    size: { type: 'string' },
    character: { type: 'string' },
    session: { type: 'string', multiple: true },
    token: { type: 'string' },
    source: { type: 'string' },
    voice: { type: 'string' },
    'voice-url': { type: 'string' },
    'max-viewers': { type: 'string' },
    background: { type: 'string' },
    'whip-url': { type: 'string' },
    'whip-token': { type: 'string' },
    'profile-cpu': { type: 'boolean' },
    record: { type: 'string' },
    ...PROVIDER_FLAGS,
  });
  const number = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new ConfigError([`--${flag} must be an integer, got ${preview(v)}`]);
    return n;
  };
  const size = number('size', values.size ?? env.PERSONA_SIZE);
  const source = values.source ?? env.PERSONA_SOURCE;
  if (source !== undefined && !(FRAME_SOURCES as readonly string[]).includes(source))
    throw new ConfigError([`--source must be one of ${FRAME_SOURCES.join(', ')}, got ${preview(source)}`]);
  const sessionSpecs = values.session ?? env.PERSONA_SESSIONS?.split(',').filter(Boolean);
  const sessions = sessionSpecs?.map((spec) => {
    const match = /^([^=]+)=(.+)$/.exec(spec.trim());
    if (!match) throw new ConfigError([`--session must look like name=character (e.g. kai=kai), got ${preview(spec)}`]);
    return { name: match[1]!, character: match[2]! };
  });
  const hex = values.background ?? env.PERSONA_BACKGROUND;
  if (hex !== undefined && !/^#[0-9a-f]{6}$/i.test(hex)) throw new ConfigError([`--background must be a colour like #262a35, got ${preview(hex)}`]);
  const background = hex ? ([1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number]) : undefined;
  const settings = {
    host: values.host ?? env.PERSONA_HOST,
    port: number('port', values.port ?? env.PERSONA_PORT),
    fps: number('fps', values.fps ?? env.PERSONA_FPS) as 30 | 60 | undefined,
    width: size,
    height: size,
    character: values.character ?? env.PERSONA_CHARACTER,
    sessions,
    token: values.token ?? env.PERSONA_TOKEN,
    source: source as FrameSourceName | undefined,
    voice: values.voice ?? env.PERSONA_VOICE,
    voiceUrl: values['voice-url'] ?? env.PERSONA_VOICE_URL,
    maxViewers: number('max-viewers', values['max-viewers'] ?? env.PERSONA_MAX_VIEWERS),
    background,
    whipUrl: values['whip-url'] ?? env.PERSONA_WHIP_URL,
    whipToken: values['whip-token'] ?? env.PERSONA_WHIP_TOKEN,
    profileCpu: values['profile-cpu'] ?? env.PERSONA_PROFILE_CPU === '1',
    record: values.record ?? env.PERSONA_RECORD,
    persona: personaConfigInput(values),
  };
  // Every problem at once, one line each, before anything starts.
  const parsed = ServerConfigSchema.safeParse(settings);
  if (!parsed.success) throw new ConfigError([], { issues: parsed.error.issues, input: settings, given: values });
  const server = await startServer(parsed.data);
  // A source that loads (diffusion) shows its progress here, and why when it could not start.
  server.session.sources?.onStatus(printSourceProgress);
  if (server.session.sourceStatus && server.session.sourceStatus.state !== 'ready') printSourceProgress(server.session.sourceStatus);
  // The page needs the token too: print the URL that opens it (the terminal is the operator's own).
  const page = (session?: string) => {
    const query = new URLSearchParams();
    if (session) query.set('session', session);
    if (parsed.data.token) query.set('token', parsed.data.token);
    return `${server.url}/${query.size ? `?${query}` : ''}`;
  };
  console.log(`persona: ${server.session.character.name} is live at ${page()}`);
  for (const [name, served] of [...server.sessions].slice(1)) console.log(`persona: ${served.session.character.name} is live at ${page(name)}`);
  if (parsed.data.record) console.log(`persona: recording inputs to ${parsed.data.record} (render it with: persona replay ${parsed.data.record} --out clip.webm)`);
  const shutdown = () => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  // Started by a parent with an IPC channel (the desktop app): when that parent is gone, however it went, so is the server.
  if (process.send) process.once('disconnect', shutdown);
  await new Promise(() => {}); // serve until a signal arrives
  return 0;
};

const vocabulary = (args: string[]): number => {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean' }, character: { type: 'string' } } });
  const character = getCharacter(values.character ?? 'aria');
  const v = character.vocabulary;
  const listing = { actions: actionNames(v), expressions: expressionNames(v), gaze: [...v.gaze] };
  if (values.json) {
    console.log(JSON.stringify(listing));
    return 0;
  }
  console.log(`${character.name} (${character.id})`);
  for (const action of v.actions) console.log(`  ${action.name.padEnd(12)} ${action.kind.padEnd(8)} ${action.synonyms.slice(0, 4).join(', ')}`);
  console.log(`expressions: ${listing.expressions.join(', ')}`);
  console.log(`gaze: ${listing.gaze.join(', ')}`);
  return 0;
};

const trace = async (args: string[]): Promise<number> => {
  const { values } = parseFlags(args, { seconds: { type: 'string' }, out: { type: 'string' }, url: { type: 'string' }, token: { type: 'string' } });
  const base = values.url ?? env.PERSONA_URL ?? 'http://127.0.0.1:7860';
  const seconds = values.seconds ?? '10';
  if (!(Number(seconds) > 0 && Number(seconds) <= 60)) throw new ConfigError([`--seconds: must be more than 0 and at most 60 (got ${preview(seconds)})`]);
  const token = values.token ?? env.PERSONA_TOKEN;
  const response = await fetch(`${base}/api/trace?seconds=${encodeURIComponent(seconds)}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  }).catch((error: Error) => {
    throw new Error(`no server at ${base} (${error.message}); start one with \`persona serve\` or pass --url`);
  });
  const body = await response.text();
  if (!response.ok) throw new Error(`${base} answered ${response.status}: ${body}`);
  const out = values.out ?? 'persona-trace.json';
  await writeFile(out, body);
  const events = (JSON.parse(body) as { traceEvents: unknown[] }).traceEvents.length;
  console.log(`wrote ${out}: ${events} trace events from the last ${seconds} s (open in https://ui.perfetto.dev)`);
  return 0;
};
