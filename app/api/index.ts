/**
 * The REST API for programs and the /mcp endpoint, mounted by app/server.ts after its Host and token
 * checks. Routes come from one table (routes.ts); each answers per session (`?session=`, the first
 * without it), checks its method (405 with Allow) and validates what it reads.
 */
import type http from 'node:http';
import type { ServedSession } from '../served-session.js';
import { SessionEvents } from './event-stream.js';
import { ApiError, sendError } from './http.js';
import { buildOpenApi } from './openapi.js';
import { ROUTES, allowed, type Method } from './routes.js';
import { McpHttp } from '../mcp/http.js';

export interface ApiOptions {
  /** The session a request names, the first when it names none; null when unknown. */
  sessionFor(name: string | null): ServedSession | null;
  /** The 404 reason for an unknown session name. */
  unknownSession(name: string | null): string;
  /** Whether a browser page's Origin may change things here (the server's own pages only). */
  originAllowed(req: http.IncomingMessage): boolean;
  /** Every session by name: /mcp's set_character picks among them. */
  sessions: ReadonlyMap<string, ServedSession>;
}

export interface Api {
  /** Answers the request when it is one of the API's own routes; false leaves it to the server. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean>;
  close(): Promise<void>;
}

export const createApi = (options: ApiOptions): Api => {
  const events = new Map<ServedSession, SessionEvents>();
  const mcp = new McpHttp(options.sessions);
  let openapi: unknown;
  const document = () => (openapi ??= buildOpenApi());

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<boolean> => {
    const route = ROUTES.find((r) => r.path === url.pathname);
    if (!route) return false;
    const method = (req.method === 'HEAD' ? 'GET' : req.method) as Method;
    const operation = route.operations[method];
    try {
      if (!operation) {
        throw new ApiError(405, `${req.method} is not allowed on ${route.path}; use ${allowed(route)}`, undefined, { allow: allowed(route) });
      }
      const isMcp = route.path === '/mcp';
      if (!operation.handle && !isMcp) return false; // one of the server's own routes
      if (method !== 'GET' && req.headers.origin !== undefined && !options.originAllowed(req)) {
        throw new ApiError(403, `a page from ${String(req.headers.origin).slice(0, 100)} may not use this API; programs send no Origin, and only this server's own pages may`);
      }
      const name = url.searchParams.get('session');
      const served = options.sessionFor(name);
      if (!served) throw new ApiError(404, options.unknownSession(name));
      if (isMcp) {
        await mcp.handle(req, res, served);
        return true;
      }
      let stream = events.get(served);
      if (!stream) events.set(served, (stream = new SessionEvents(served)));
      await operation.handle!({ req, res, url, served, events: stream, openapi: document });
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (res.headersSent) res.end();
      else sendError(req, res, error);
    }
    return true;
  };

  return {
    handle,
    close: async () => {
      for (const stream of events.values()) stream.close();
      events.clear();
      await mcp.close();
    },
  };
};
