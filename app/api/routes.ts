/**
 * Every HTTP route for programs, in one table: the router answers from it (methods checked, 405 with
 * Allow), and the OpenAPI document is generated from it. Routes whose `handle` is absent are answered
 * by app/server.ts (they predate this table) and are listed here so they are documented and checked.
 */
import type http from 'node:http';
import { z } from 'zod';
import type { ServedSession } from '../served-session.js';
import type { SessionEvents } from './event-stream.js';
import { ApiError, readJson, readQuery, sendJson, SSE_HEADERS, sseFrame } from './http.js';
import { characterCard, chatTurn, sendDirective, vocabularyOf } from './control.js';
import {
  CharacterCardSchema,
  ChatQuerySchema,
  ChatRequestSchema,
  ChatResultSchema,
  DirectiveResultSchema,
  DocumentedDirectiveSchema,
  ErrorSchema,
  PersonaStateSchema,
  SessionQuerySchema,
  VocabularySchema,
} from './schemas.js';
import { SOURCE_ROUTES } from './source-routes.js';
import { RECORD_ROUTES } from './record-routes.js';

export interface RouteContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  /** The session `?session=` names (the first when none). */
  served: ServedSession;
  events: SessionEvents;
  /** The OpenAPI document, for the route that serves it. */
  openapi: () => unknown;
}

export interface Operation {
  summary: string;
  description?: string;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** Status → what it carries; `stream` marks a text/event-stream answer. */
  responses: Record<number, { description: string; schema?: z.ZodType; stream?: boolean }>;
  /** Answers the request; absent: app/server.ts answers it (or app/mcp/ for /mcp). */
  handle?: (ctx: RouteContext) => Promise<void> | void;
}

export type Method = 'GET' | 'POST' | 'DELETE';

export interface Route {
  path: string;
  operations: Partial<Record<Method, Operation>>;
}

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: {
          400: 'Bad query or a body that is not JSON',
          401: 'Missing or wrong bearer token (servers started with --token)',
          404: 'Unknown session',
          413: 'Body over 64 KiB',
          415: 'Body not sent as application/json',
          422: 'The body does not fit the schema; `issues` names each field',
          429: 'Too many chat lines; retry after the Retry-After seconds',
          503: 'Too many event streams on this session',
        }[s]!,
        schema: ErrorSchema,
      },
    ]),
  );

const TurnEventsNote =
  'Events are the WebSocket messages of the turn as JSON, each under its own `type` as the event name: `directive`, `reply.chunk`, `notice`, and last `reply` (the whole text); the stream then ends.';

export const ROUTES: Route[] = [
  {
    path: '/api/chat',
    operations: {
      POST: {
        summary: 'Say something to her',
        description: `The same turn as a line typed in the UI: the embedded interpreter starts explicit commands at once (speculative start), the configured LLM answers, directives reach the engine and she speaks the reply. Answers with the whole turn, or streams it as Server-Sent Events with \`?stream=1\` or \`Accept: text/event-stream\`. ${TurnEventsNote}`,
        query: ChatQuerySchema,
        body: ChatRequestSchema,
        responses: {
          200: { description: 'The whole turn (or, streamed, its events)', schema: ChatResultSchema },
          ...errors(400, 401, 404, 413, 415, 422, 429),
        },
        handle: async ({ req, res, url, served }) => {
          const query = readQuery(url, ChatQuerySchema);
          const { text } = await readJson(req, ChatRequestSchema);
          const streamed = query.stream === '1' || /text\/event-stream/.test(req.headers.accept ?? '');
          if (!streamed) return sendJson(req, res, 200, await chatTurn(served, text));
          let opened = false;
          const open = () => {
            if (opened) return;
            opened = true;
            res.writeHead(200, SSE_HEADERS);
          };
          try {
            await chatTurn(served, text, (message) => {
              open();
              if (!res.destroyed) res.write(sseFrame(message.type, message));
            });
            open();
            res.end();
          } catch (error) {
            if (!opened) throw error; // nothing sent yet: a plain error answer
            res.end(sseFrame('error', { type: 'error', reason: (error as Error).message }));
          }
        },
      },
    },
  },
  {
    path: '/api/directives',
    operations: {
      POST: {
        summary: 'Send a Directive to the engine',
        description:
          'A Directive `{action, expression, gaze, dialogue}` with names from GET /api/vocabulary, validated against the session\'s character: 422 with the reason otherwise ("unknown action \\"fly\\"; known: …"). Answers after the engine started or refused its action (a few ticks at most); `outcome` carries that event (refusals say why: "can\'t jump while sitting").',
        query: SessionQuerySchema,
        body: DocumentedDirectiveSchema,
        responses: { 200: { description: 'Queued; the engine\'s first answer', schema: DirectiveResultSchema }, ...errors(400, 401, 404, 413, 415, 422) },
        handle: async ({ req, res, url, served }) => {
          readQuery(url, SessionQuerySchema);
          sendJson(req, res, 200, await sendDirective(served, await readJson(req, z.unknown())));
        },
      },
    },
  },
  {
    path: '/api/state',
    operations: {
      GET: {
        summary: 'Her state now',
        query: SessionQuerySchema,
        responses: { 200: { description: 'Posture, facing, action, expression, gaze, chart states, queue, tick', schema: PersonaStateSchema }, ...errors(401, 404) },
        handle: ({ req, res, served }) => sendJson(req, res, 200, served.session.state()),
      },
    },
  },
  {
    path: '/api/vocabulary',
    operations: {
      GET: {
        summary: "The session's character's vocabulary",
        description: 'The names a Directive may use: actions (with the words the embedded interpreter knows them by), expressions, gaze targets.',
        query: SessionQuerySchema,
        responses: { 200: { description: 'The vocabulary', schema: VocabularySchema }, ...errors(401, 404) },
        handle: ({ req, res, served }) => sendJson(req, res, 200, vocabularyOf(served.session.character)),
      },
    },
  },
  {
    path: '/api/character',
    operations: {
      GET: {
        summary: "The session's character as a Character Card V2",
        description: 'Name, personality and greeting as a SillyTavern card; the engine\'s data (look, voice, vocabulary) under `extensions["persona-engine"]`. Characters are chosen per session at start (`--character`, `--session name=id`); pick a session with `?session=`.',
        query: SessionQuerySchema,
        responses: { 200: { description: 'The card', schema: CharacterCardSchema }, ...errors(401, 404) },
        handle: ({ req, res, served }) => sendJson(req, res, 200, characterCard(served.session.character)),
      },
    },
  },
  {
    path: '/api/events',
    operations: {
      GET: {
        summary: 'Replies, engine events and state as Server-Sent Events',
        description:
          'First the state now, then as they happen: `state`, `event` (action started / finished / refused, expression changed), and every chat turn\'s `directive`, `reply.chunk`, `notice`, `reply` — whoever sent the line (UI, REST or MCP). Each `data:` is the WebSocket message as JSON. A comment line every 15 s; at most 16 streams per session; a stream that stops reading is closed past 1 MiB waiting; a `bye` event ends every stream when the server shuts down.',
        query: SessionQuerySchema,
        responses: { 200: { description: 'text/event-stream', stream: true }, ...errors(401, 404, 503) },
        handle: ({ req, res, events }) => {
          if (!events.open(req, res)) throw new ApiError(503, `this session has ${events.count} event streams open already; close one or try later`, undefined, { 'retry-after': '5' });
        },
      },
    },
  },
  {
    path: '/api/openapi.json',
    operations: {
      GET: {
        summary: 'This document',
        responses: { 200: { description: 'OpenAPI 3.1' }, ...errors(401) },
        handle: ({ req, res, openapi }) => sendJson(req, res, 200, openapi()),
      },
    },
  },
  // Answered by app/server.ts.
  {
    path: '/api/health',
    operations: { GET: { summary: 'The engine is up: character, fps, size, tick, voice, sessions', query: SessionQuerySchema, responses: { 200: { description: 'ok' }, ...errors(401, 404) } } },
  },
  {
    path: '/api/history',
    operations: {
      GET: {
        summary: "The session's conversation, newest last",
        query: SessionQuerySchema.extend({ limit: z.string().optional().meta({ description: 'How many messages, 1–1000 (default 200).' }) }),
        responses: { 200: { description: '{ character, provider, messages }' }, ...errors(401, 404) },
      },
    },
  },
  {
    path: '/api/trace',
    operations: {
      GET: {
        summary: "The last seconds of the frame budget profiler as Chrome Trace Event JSON",
        query: SessionQuerySchema.extend({ seconds: z.string().optional().meta({ description: 'How many seconds, up to 60 (default 10).' }) }),
        responses: { 200: { description: 'Trace Event JSON (open in ui.perfetto.dev)' }, ...errors(400, 401, 404) },
      },
    },
  },
  {
    path: '/api/characters',
    operations: { GET: { summary: 'The built-in characters', responses: { 200: { description: '[{ id, name, personality }]' }, ...errors(401) } } },
  },
  {
    path: '/api/webrtc/stats',
    operations: { GET: { summary: 'WebRTC viewers and the video feed', query: SessionQuerySchema, responses: { 200: { description: '{ viewers, framesSent, framesSkipped, whip, fieldTrials }' }, ...errors(401, 404) } } },
  },
  {
    path: '/mcp',
    operations: Object.fromEntries(
      (['POST', 'GET', 'DELETE'] as const).map((method) => [
        method,
        {
          summary: `Model Context Protocol, streamable HTTP (${method === 'POST' ? 'JSON-RPC requests' : method === 'GET' ? 'the server-to-client stream' : 'end the MCP session'})`,
          description: 'The MCP server (tools say, act, get_state, list_vocabulary, set_character; resources persona://vocabulary and persona://character). Speak MCP to it with an MCP client; docs/api/README.md lists the tools.',
          query: SessionQuerySchema,
          responses: { 200: { description: 'MCP JSON-RPC' }, 400: { description: 'Not an MCP request, or no Mcp-Session-Id where one is needed' }, ...errors(401, 404) },
        } satisfies Operation,
      ]),
    ),
  },
  ...RECORD_ROUTES,
  ...SOURCE_ROUTES,
];

export const allowed = (route: Route): string => {
  const methods = Object.keys(route.operations);
  return (methods.includes('GET') ? [...methods, 'HEAD'] : methods).join(', ');
};
