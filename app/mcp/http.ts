/**
 * /mcp: the MCP server over streamable HTTP (the SDK's StreamableHTTPServerTransport), mounted by the
 * REST API after the server's Host, Origin and token checks. One MCP session per client that sends
 * `initialize` (its Mcp-Session-Id on every later request), each driving the server session that
 * `?session=` named; set_character moves it to the session that runs that character. Bounded: at
 * most MAX_MCP_SESSIONS at once, idle ones closed, request bodies read by us with the API's limit.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import { z } from 'zod';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ServedSession } from '../served-session.js';
import { ApiError, readJson } from '../api/http.js';
import { createPersonaMcp } from './persona-mcp.js';

/** MCP sessions open at once; an `initialize` beyond it gets 503. */
export const MAX_MCP_SESSIONS = 32;
/** An MCP session with no request for this long is closed (its client starts a new one). */
const MCP_IDLE_MS = 15 * 60_000;

interface Open {
  transport: StreamableHTTPServerTransport;
  mcp: McpServer;
  lastSeen: number;
}

const rpcError = (res: http.ServerResponse, status: number, message: string): void => {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message }, id: null }));
};

export class McpHttp {
  private readonly open = new Map<string, Open>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly sessions: ReadonlyMap<string, ServedSession>) {
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const [id, o] of this.open) if (now - o.lastSeen > MCP_IDLE_MS) void this.end(id);
    }, 60_000);
    this.sweeper.unref();
  }

  get count(): number {
    return this.open.size;
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse, served: ServedSession): Promise<void> {
    const body = req.method === 'POST' ? await readJson(req, z.unknown()) : undefined;
    const id = req.headers['mcp-session-id'];
    if (typeof id === 'string') {
      const known = this.open.get(id);
      if (!known) return rpcError(res, 404, 'unknown or expired MCP session: send initialize again');
      known.lastSeen = Date.now();
      return known.transport.handleRequest(req, res, body);
    }
    if (req.method !== 'POST' || !isInitializeRequest(body)) {
      return rpcError(res, 400, 'no Mcp-Session-Id: start with an initialize request (POST), then send its Mcp-Session-Id header');
    }
    if (this.open.size >= MAX_MCP_SESSIONS) {
      throw new ApiError(503, `this server has ${MAX_MCP_SESSIONS} MCP sessions open already; close one (DELETE /mcp) or try later`, undefined, { 'retry-after': '10' });
    }
    let current = served;
    const mcp = createPersonaMcp({
      served: () => current,
      setCharacter: async (character) => {
        if (current.session.character.id === character) return `already ${current.session.character.name} (${character})`;
        const runs = [...this.sessions.values()].find((s) => s.session.character.id === character);
        if (!runs) {
          const listing = [...this.sessions.values()].map((s) => `${s.session.character.id} (session "${s.name}")`).join(', ');
          throw new Error(
            `no session on this server runs "${character}"; it runs ${listing}. A running session keeps the character it started with: start the server with --session NAME=${character} to drive ${character} here, or use \`persona mcp --character ${character}\`.`,
          );
        }
        current = runs;
        return `now driving ${runs.session.character.name} (${character}, session "${runs.name}")`;
      },
    });
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (sessionId) => void this.open.set(sessionId, { transport, mcp, lastSeen: Date.now() }),
    });
    transport.onclose = () => {
      if (transport.sessionId) this.open.delete(transport.sessionId);
    };
    await mcp.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  private async end(id: string): Promise<void> {
    const o = this.open.get(id);
    this.open.delete(id);
    await o?.mcp.close().catch(() => undefined);
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    for (const id of [...this.open.keys()]) await this.end(id);
  }
}
