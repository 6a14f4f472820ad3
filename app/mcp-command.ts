/**
 * `persona mcp`: the persona as an MCP server over stdio, for desktop agent clients. It starts its
 * own engine — a whole `persona serve` on loopback, so you can watch her at the URL it logs to stderr
 * — and speaks MCP on stdin/stdout until the client closes stdin. set_character restarts that engine
 * with the new character (same port: an open page reloads with her). With --url it starts nothing
 * and relays MCP between stdio and that server's /mcp instead. stdout carries only MCP messages:
 * everything the engine logs goes to stderr.
 */
import net from 'node:net';
import { parseArgs } from 'node:util';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { ServerConfigSchema, type ServerConfig } from '../protocol/config.js';
import { startServer, type RunningServer } from './server.js';
import { ConfigError, PROVIDER_FLAGS, PROVIDER_HELP, personaConfigInput } from './persona-commands.js';
import { resolveCharacter } from './resolve-character.js';
import { createPersonaMcp } from './mcp/persona-mcp.js';

export const MCP_HELP = `persona mcp — the persona as an MCP server over stdio (for Claude Desktop and other agent clients)

It starts its own engine, serving the UI and API as persona serve does (the URL goes to stderr),
and speaks MCP on stdin/stdout. Tools: say, act, get_state, list_vocabulary, set_character
(restarts this engine with that character); resources: persona://vocabulary, persona://character.
With --url it starts no engine: it relays MCP to a server that is already running (its /mcp).

  --character ID  character to start with (default aria; env PERSONA_CHARACTER)
  --port N        port of the engine's page and API (default 7860, env PERSONA_PORT; when taken, a free one)
  --size N        frame width and height (default 512; env PERSONA_SIZE)
  --fps 30|60     engine tick rate (default 30; env PERSONA_FPS)
  --voice on|off  speak replies aloud in the page and WebRTC (default on; env PERSONA_VOICE)
  --url URL       drive the server running at URL instead (e.g. http://127.0.0.1:7860; env PERSONA_URL);
                  set_character then picks among its sessions
  --session NAME  with --url: which of its sessions (default: its first)
  --token T       with --url: its bearer token (env PERSONA_TOKEN)

${PROVIDER_HELP}`;

const env = process.env;

/** `port` when nothing listens there on `host`, else 0 (the system picks a free one). */
const freePort = (host: string, port: number): Promise<number> =>
  new Promise((resolve) => {
    if (port === 0) return resolve(0);
    const probe = net.createServer();
    probe.once('error', () => resolve(0));
    probe.listen(port, host, () => probe.close(() => resolve(port)));
  });

export const mcp = async (args: string[]): Promise<number> => {
  // stdout is the MCP channel: no log line may land there.
  console.log = console.error;
  console.info = console.error;
  const { values } = parseArgs({
    args,
    options: {
      character: { type: 'string' },
      port: { type: 'string' },
      size: { type: 'string' },
      fps: { type: 'string' },
      voice: { type: 'string' },
      url: { type: 'string' },
      session: { type: 'string' },
      token: { type: 'string' },
      ...PROVIDER_FLAGS,
    },
  });
  const remote = values.url ?? env.PERSONA_URL;
  if (remote) return relay(remote, values.session, values.token ?? env.PERSONA_TOKEN);
  const int = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    if (!/^-?\d+$/.test(v)) throw new ConfigError([`--${flag} must be an integer, got ${JSON.stringify(v).slice(0, 40)}`]);
    return Number(v);
  };
  const size = int('size', values.size ?? env.PERSONA_SIZE);
  const settings = {
    host: '127.0.0.1',
    port: int('port', values.port ?? env.PERSONA_PORT),
    fps: int('fps', values.fps ?? env.PERSONA_FPS) as 30 | 60 | undefined,
    width: size,
    height: size,
    character: values.character ?? env.PERSONA_CHARACTER,
    voice: values.voice ?? env.PERSONA_VOICE,
    persona: personaConfigInput(values),
  };
  const parsed = ServerConfigSchema.safeParse(settings);
  if (!parsed.success) throw new ConfigError([], { issues: parsed.error.issues, input: settings, given: values });
  resolveCharacter(parsed.data.character, parsed.data.persona.dataDir); // an unknown id fails here, before anything starts
  let config: ServerConfig = { ...parsed.data, port: await freePort(parsed.data.host, parsed.data.port) };
  let running: RunningServer = await startServer(config);
  config = { ...config, port: Number(new URL(running.url).port) };
  console.error(`persona mcp: ${running.session.character.name} is live at ${running.url}/ (MCP on stdio)`);

  const first = () => [...running.sessions.values()][0]!;
  const server = createPersonaMcp({
    served: first,
    setCharacter: async (id) => {
      const current = first().session.character;
      if (current.id === id) return `already ${current.name} (${id})`;
      const character = resolveCharacter(id, config.persona.dataDir); // throws listing the known ids
      await running.close();
      config = { ...config, character: id };
      running = await startServer(config);
      return `now ${character.name} (${id}); this engine restarted with her at ${running.url}/ (an open page reloads)`;
    },
  });
  const transport = new StdioServerTransport();
  const closed = Promise.race([stdinClosed(), new Promise<void>((resolve) => (server.server.onclose = resolve))]);
  await server.connect(transport);
  await closed;
  await server.close().catch(() => undefined);
  await running.close();
  return 0;
};

/** Stdin closed (the client left) or the MCP side closed. */
const stdinClosed = () =>
  new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
  });

/**
 * --url: relays MCP messages between stdio and a running server's /mcp (streamable HTTP). A request
 * the server cannot be reached for is answered with a JSON-RPC error saying so.
 */
const relay = async (base: string, session: string | undefined, token: string | undefined): Promise<number> => {
  let target: URL;
  try {
    target = new URL('/mcp', base);
  } catch {
    throw new ConfigError([`--url: must be a URL such as http://127.0.0.1:7860 (got ${JSON.stringify(base).slice(0, 80)})`]);
  }
  if (session) target.searchParams.set('session', session);
  const upstream = new StreamableHTTPClientTransport(target, { requestInit: { headers: token ? { authorization: `Bearer ${token}` } : {} } });
  const local = new StdioServerTransport();
  local.onmessage = (message: JSONRPCMessage) => {
    upstream.send(message).catch((error: Error) => {
      console.error(`persona mcp: ${target.origin}: ${error.message}`);
      if ('id' in message && 'method' in message) {
        void local.send({ jsonrpc: '2.0', id: message.id, error: { code: -32000, message: `the persona server at ${target.origin} did not answer (${error.message}); is persona serve running there?` } });
      }
    });
  };
  upstream.onmessage = (message) => void local.send(message);
  upstream.onerror = (error) => console.error(`persona mcp: ${target.origin}: ${error.message}`);
  await upstream.start();
  await local.start();
  console.error(`persona mcp: relaying MCP to ${target.origin}/mcp`);
  await stdinClosed();
  await upstream.terminateSession().catch(() => undefined);
  await upstream.close();
  return 0;
};
