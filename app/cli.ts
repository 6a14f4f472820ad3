/** The `persona` command: serve, interpret, bench. Each takes --help. */
import { parseArgs } from 'node:util';
import { startServer } from './server.js';
import { getCharacter } from '../characters/index.js';
import { EmbeddedInterpreter } from '../persona/embedded-interpreter.js';
import { FRAME_SOURCES, type FrameSourceName } from '../native/index.js';

const USAGE = `persona — a real-time interactive AI persona engine

Usage:
  persona serve [--host 127.0.0.1] [--port 7860] [--fps 30|60] [--size 512] [--character aria] [--source puppet|control] [--token T]
  persona interpret "<line>" [--character aria]
  persona bench [--out bench/results/latest.json] [--quick]
  persona <command> --help`;

const HELP: Record<string, string> = {
  serve: `persona serve — run the engine and serve the UI

  --host H        interface to bind (default 127.0.0.1; env PERSONA_HOST). Beyond loopback a token is required.
  --port N        TCP port (default 7860; 0 picks a free one; env PERSONA_PORT)
  --fps 30|60     engine tick rate (default 30; env PERSONA_FPS)
  --size N        frame width and height in pixels (default 512; env PERSONA_SIZE)
  --character ID  character to load (default aria; env PERSONA_CHARACTER)
  --source S      frame source: puppet (the character) or control (OpenPose skeleton on black) (default puppet; env PERSONA_SOURCE)
  --token T       bearer token for the API and WebSocket (16+ characters; env PERSONA_TOKEN)`,
  interpret: `persona interpret "<line>" — print the Directives the embedded interpreter makes of a line, as JSON

  --character ID  whose vocabulary and voice to use (default aria)`,
  bench: `persona bench — measure tick, native fill and action latency; write JSON (asserts nothing)

  --out PATH      where to write the JSON (default bench/results/latest.json)
  --quick         fewer samples, for a fast look`,
};

const env = process.env;

export const main = async (argv: string[]): Promise<number> => {
  const [command, ...rest] = argv;
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
    if (command === 'interpret') return interpret(rest);
    const { runBench } = await import('../bench/run.js');
    const { values } = parseArgs({ args: rest, options: { out: { type: 'string' }, quick: { type: 'boolean' } } });
    await runBench({ out: values.out ?? 'bench/results/latest.json', quick: values.quick ?? false });
    return 0;
  } catch (error) {
    console.error(`persona ${command}: ${(error as Error).message}`);
    return 1;
  }
};

const serve = async (args: string[]): Promise<number> => {
  const { values } = parseArgs({
    args,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      fps: { type: 'string' },
      size: { type: 'string' },
      character: { type: 'string' },
      source: { type: 'string' },
      token: { type: 'string' },
    },
  });
  const number = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new Error(`--${flag} must be an integer, got "${v}"`);
    return n;
  };
  const size = number('size', values.size ?? env.PERSONA_SIZE);
  const source = values.source ?? env.PERSONA_SOURCE;
  if (source !== undefined && !(FRAME_SOURCES as readonly string[]).includes(source))
    throw new Error(`--source must be one of ${FRAME_SOURCES.join(', ')}, got "${source}"`);
  const server = await startServer({
    host: values.host ?? env.PERSONA_HOST,
    port: number('port', values.port ?? env.PERSONA_PORT),
    fps: number('fps', values.fps ?? env.PERSONA_FPS) as 30 | 60 | undefined,
    width: size,
    height: size,
    character: values.character ?? env.PERSONA_CHARACTER,
    source: source as FrameSourceName | undefined,
    token: values.token ?? env.PERSONA_TOKEN,
  });
  console.log(`persona: ${server.session.character.name} is live at ${server.url}`);
  const shutdown = () => {
    server.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
  await new Promise(() => {}); // serve until a signal arrives
  return 0;
};

const interpret = (args: string[]): number => {
  const { values, positionals } = parseArgs({ args, options: { character: { type: 'string' } }, allowPositionals: true });
  const line = positionals.join(' ').trim();
  if (!line) throw new Error('give a line to interpret, e.g. persona interpret "wave twice"');
  const interpreter = new EmbeddedInterpreter(getCharacter(values.character ?? 'aria'));
  console.log(JSON.stringify(interpreter.interpret(line), null, 2));
  return 0;
};
