/**
 * The MCP server through the official SDK's own client, over both transports: streamable HTTP at
 * /mcp of a running server, and stdio to `persona mcp`. Tools must change her state, seen through
 * get_state and in the engine itself.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { PersonaConfigSchema } from '../../protocol/persona-config.js';
import { startServer, type RunningServer } from '../server.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

type ToolResult = { content: { type: string; text: string }[]; structuredContent?: Record<string, unknown>; isError?: boolean };
const call = async (client: Client, name: string, args: Record<string, unknown> = {}) => (await client.callTool({ name, arguments: args })) as ToolResult;
const textOf = (result: ToolResult) => result.content.map((c) => c.text).join('\n');

const until = async <T>(read: () => Promise<T> | T, ok: (v: T) => boolean, ms = 5000): Promise<T> => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
};

const connectHttp = async (url: string, headers: Record<string, string> = {}) => {
  const client = new Client({ name: 'persona-test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
  return client;
};

describe('MCP over streamable HTTP (/mcp)', () => {
  let server: RunningServer;
  let client: Client;

  beforeAll(async () => {
    server = await startServer({
      port: 0,
      width: 64,
      height: 64,
      voice: 'off',
      sessions: [
        { name: 'default', character: 'aria' },
        { name: 'k', character: 'kai' },
      ],
      persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }),
    });
    client = await connectHttp(`${server.url}/mcp`);
  });

  afterAll(async () => {
    await client?.close();
    await server?.close();
  });

  it('lists the tools and resources', async () => {
    const tools = (await client.listTools()).tools.map((t) => t.name);
    expect(tools.sort()).toEqual(['act', 'get_state', 'list_vocabulary', 'say', 'set_character']);
    const resources = (await client.listResources()).resources.map((r) => r.uri);
    expect(resources.sort()).toEqual(['persona://character', 'persona://vocabulary']);
  });

  it('act starts an action: get_state and the engine both show it', async () => {
    const result = await call(client, 'act', { action: { name: 'wave' } });
    expect(result.isError).toBeFalsy();
    expect(textOf(result)).toBe('started wave');
    expect(server.session.state().action).toBe('wave');
    const state = await call(client, 'get_state');
    expect(state.structuredContent).toMatchObject({ character: 'aria', action: 'wave' });
    await call(client, 'act', { action: { name: 'stop' } });
    await until(() => server.session.state().action, (a) => a === 'idle');
  });

  it('say runs a chat turn: her reply, the directives, and her face changes', async () => {
    const result = await call(client, 'say', { text: 'look surprised' });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ provider: 'embedded', reply: expect.any(String) });
    expect(textOf(result)).toMatch(/"surprised"/);
    expect((await until(() => server.session.state().expression, (e) => e === 'surprised'))).toBe('surprised');
  });

  it('refuses what the character does not know, with the reason, and goes on', async () => {
    const unknown = await call(client, 'act', { action: { name: 'fly' } });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/unknown action "fly"; known: .*wave/);
    const empty = await call(client, 'act', {});
    expect(empty.isError).toBe(true);
    expect(textOf(empty)).toMatch(/asks for nothing/);
    const badSay = await call(client, 'say', { text: '' });
    expect(badSay.isError).toBe(true);
    expect((await call(client, 'get_state')).isError).toBeFalsy();
  });

  it('reads the vocabulary and the character card as resources, and list_vocabulary', async () => {
    const vocabulary = JSON.parse(((await client.readResource({ uri: 'persona://vocabulary' })).contents[0] as { text: string }).text);
    expect(vocabulary.character).toBe('aria');
    expect(vocabulary.actions.map((a: { name: string }) => a.name)).toContain('wave');
    const card = JSON.parse(((await client.readResource({ uri: 'persona://character' })).contents[0] as { text: string }).text);
    expect(card).toMatchObject({ spec: 'chara_card_v2', data: { name: 'Aria' } });
    expect((await call(client, 'list_vocabulary')).structuredContent).toMatchObject({ character: 'aria', expressions: expect.arrayContaining(['happy']) });
  });

  it('set_character moves this client to the session running that character, and says why it cannot otherwise', async () => {
    const missing = await call(client, 'set_character', { id: 'mira' });
    expect(missing.isError).toBe(true);
    expect(textOf(missing)).toMatch(/no session on this server runs "mira"; it runs aria \(session "default"\), kai \(session "k"\)/);

    const other = await connectHttp(`${server.url}/mcp`); // another agent keeps Aria
    const switched = await call(client, 'set_character', { id: 'kai' });
    expect(textOf(switched)).toMatch(/now driving Kai/);
    await call(client, 'act', { action: { name: 'nod' } });
    const kai = server.sessions.get('k')!.session;
    expect(kai.state().action).toBe('nod');
    expect((await call(client, 'get_state')).structuredContent).toMatchObject({ character: 'kai' });
    expect((await call(other, 'get_state')).structuredContent).toMatchObject({ character: 'aria' });
    const card = JSON.parse(((await client.readResource({ uri: 'persona://character' })).contents[0] as { text: string }).text);
    expect(card.data.name).toBe('Kai');
    await other.close();
  });

  it('answers requests that are not MCP with a reason', async () => {
    const noSession = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' }, body: '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' });
    expect(noSession.status).toBe(400);
    expect((await noSession.json()).error.message).toMatch(/start with an initialize request/);
    const unknown = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', 'mcp-session-id': 'nope' }, body: '{}' });
    expect(unknown.status).toBe(404);
    expect((await fetch(`${server.url}/mcp`, { method: 'PUT' })).status).toBe(405);
    const tooBig = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'y'.repeat(70_000) }) });
    expect(tooBig.status).toBe(413);
    const foreign = await fetch(`${server.url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', origin: 'http://evil.example' }, body: '{}' });
    expect(foreign.status).toBe(403);
  });

  it('persona mcp --url relays stdio to this server\'s /mcp: its tools drive the running session', async () => {
    const relay = new Client({ name: 'persona-test-relay', version: '1.0.0' });
    await relay.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [path.join(root, 'bin/persona.js'), 'mcp', '--url', server.url, '--session', 'k'],
        cwd: root,
        env: process.env as Record<string, string>,
        stderr: 'pipe',
      }),
    );
    try {
      expect((await call(relay, 'get_state')).structuredContent).toMatchObject({ character: 'kai' });
      expect(textOf(await call(relay, 'act', { action: { name: 'clap' } }))).toBe('started clap');
      expect(server.sessions.get('k')!.session.state().action).toBe('clap');
    } finally {
      await relay.close();
    }
  });

  it('needs the token when the server has one', async () => {
    const token = 'mcp-test-token-0123456789';
    const guarded = await startServer({ port: 0, width: 64, height: 64, voice: 'off', token, persona: PersonaConfigSchema.parse({ dataDir: ':memory:' }) });
    try {
      await expect(connectHttp(`${guarded.url}/mcp`)).rejects.toThrow(/401|bearer token/i);
      const allowed = await connectHttp(`${guarded.url}/mcp`, { authorization: `Bearer ${token}` });
      expect(textOf(await call(allowed, 'act', { action: { name: 'jump' } }))).toBe('started jump');
      expect(guarded.session.state().action).toBe('jump');
      await allowed.close();
    } finally {
      await guarded.close();
    }
  });
});

describe('MCP over stdio (persona mcp)', () => {
  let client: Client;
  let stderr = '';

  beforeAll(async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [path.join(root, 'bin/persona.js'), 'mcp', '--port', '0', '--size', '64', '--voice', 'off'],
      cwd: root,
      env: { ...(process.env as Record<string, string>), PERSONA_PROVIDER: 'embedded' },
      stderr: 'pipe',
    });
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: 'persona-test', version: '1.0.0' });
    await client.connect(transport);
  });

  afterAll(async () => {
    await client?.close();
  });

  it('starts its own engine, logs its URL to stderr (stdout is MCP), and its tools change her state', async () => {
    expect(stderr).toMatch(/persona mcp: Aria is live at http:\/\/127\.0\.0\.1:\d+\//);
    const url = /live at (http:\/\/[^/\s]+)/.exec(stderr)![1]!;
    expect(textOf(await call(client, 'act', { action: { name: 'sit_down' } }))).toBe('started sit_down');
    const state = await until(
      async () => (await call(client, 'get_state')).structuredContent as { posture: string; action: string },
      (s) => s.posture === 'sitting' && s.action === 'idle',
    );
    expect(state.posture).toBe('sitting');
    // The engine it started says the same over its own REST API.
    expect(((await (await fetch(`${url}/api/state`)).json()) as { posture: string }).posture).toBe('sitting');
    const turn = await call(client, 'say', { text: 'look happy' });
    expect(turn.structuredContent).toMatchObject({ provider: 'embedded' });
    await until(async () => ((await call(client, 'get_state')).structuredContent as { expression: string }).expression, (e) => e === 'happy');
  });

  it('set_character restarts its engine with the new character', async () => {
    const unknown = await call(client, 'set_character', { id: 'nobody' });
    expect(unknown.isError).toBe(true);
    expect(textOf(unknown)).toMatch(/unknown character "nobody"; available: aria, kai/);
    const switched = await call(client, 'set_character', { id: 'kai' });
    expect(textOf(switched)).toMatch(/now Kai \(kai\)/);
    expect((await call(client, 'get_state')).structuredContent).toMatchObject({ character: 'kai', posture: 'standing' });
    expect(textOf(await call(client, 'act', { action: { name: 'wave' } }))).toBe('started wave');
    const card = JSON.parse(((await client.readResource({ uri: 'persona://character' })).contents[0] as { text: string }).text);
    expect(card.data.name).toBe('Kai');
  });
});
