/**
 * Recording from the API (issue 17, record and replay): POST /api/record {"action":"start"} records
 * the session's inputs to a new file under <data dir>/recordings/, {"action":"stop"} closes it;
 * GET /api/record says whether one runs. `persona replay FILE --out clip.webm` renders the file.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ServedSession } from '../served-session.js';
import { ApiError, readJson, readQuery, sendJson } from './http.js';
import type { Route } from './routes.js';
import { ErrorSchema, SessionQuerySchema } from './schemas.js';

export const RecordRequestSchema = z
  .object({ action: z.enum(['start', 'stop']).meta({ description: 'start: record to a new file (409 when one runs); stop: close it (409 when none runs).' }) })
  .strict()
  .meta({ id: 'RecordRequest' });

export const RecordStatusSchema = z
  .object({
    recording: z.boolean().meta({ description: 'Whether this session is being recorded now.' }),
    file: z.string().optional().meta({ description: "The recording's path on the server (JSONL; render it with `persona replay FILE --out clip.webm`)." }),
    startedAt: z.string().optional().meta({ description: 'When it started, ISO 8601.' }),
    lines: z.number().int().optional().meta({ description: 'After stop: lines written (header and end included).' }),
    ticks: z.number().int().optional().meta({ description: 'After stop: engine ticks it covers.' }),
    truncated: z.boolean().optional().meta({ description: 'After stop: it reached its size bound (32 MiB) and stopped early.' }),
  })
  .meta({ id: 'RecordStatus' });

const status = (served: ServedSession) => {
  const recorder = served.recorder;
  return recorder?.recording ? { recording: true, file: recorder.file, startedAt: recorder.startedAt.toISOString() } : { recording: false };
};

const error = (description: string) => ({ description, schema: ErrorSchema });

export const RECORD_ROUTES: Route[] = [
  {
    path: '/api/record',
    operations: {
      GET: {
        summary: 'Whether this session is being recorded, and to which file',
        query: SessionQuerySchema,
        responses: { 200: { description: 'The recording status', schema: RecordStatusSchema }, 401: error('Missing or wrong bearer token'), 404: error('Unknown session') },
        handle: ({ req, res, url, served }) => {
          readQuery(url, SessionQuerySchema);
          sendJson(req, res, 200, status(served));
        },
      },
      POST: {
        summary: "Start or stop recording this session's inputs",
        description:
          'Records the input timeline (chat lines, directives, replies, spoken lines, each with the engine tick that took it) as JSONL under <data dir>/recordings/<session>-<time>.jsonl. A replay starts from a fresh persona at rest, so a recording started mid-session replays its inputs from there.',
        query: SessionQuerySchema,
        body: RecordRequestSchema,
        responses: {
          200: { description: 'Started (the file) or stopped (the file, lines, ticks)', schema: RecordStatusSchema },
          401: error('Missing or wrong bearer token'),
          404: error('Unknown session'),
          409: error('Already recording (start) or not recording (stop)'),
          413: error('Body over 64 KiB'),
          415: error('Body not sent as application/json'),
          422: error('The body does not fit the schema'),
        },
        handle: async ({ req, res, url, served }) => {
          readQuery(url, SessionQuerySchema);
          const { action } = await readJson(req, RecordRequestSchema);
          if (action === 'stop') {
            if (!served.recorder?.recording) throw new ApiError(409, 'this session is not being recorded; start with {"action":"start"}');
            const summary = (await served.stopRecording())!;
            return sendJson(req, res, 200, { recording: false, file: summary.file, lines: summary.lines, ticks: summary.ticks, truncated: summary.truncated });
          }
          if (served.recorder?.recording) throw new ApiError(409, `this session is being recorded already, to ${served.recorder.file}; stop it first with {"action":"stop"}`);
          await mkdir(served.recordingsDir, { recursive: true });
          const file = path.join(served.recordingsDir, `${served.name}-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`);
          await served.startRecording(file);
          sendJson(req, res, 200, status(served));
        },
      },
    },
  },
];
