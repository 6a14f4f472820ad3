/** Small HTTP helpers for the REST API: JSON answers, bounded JSON bodies, errors that say what to fix. */
import type http from 'node:http';
import type { z } from 'zod';
import { describeIssues, MAX_BODY_BYTES } from './schemas.js';

/** An answer the handler gives up with: status, a reason, and optionally the failed fields or headers. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: { path: string; message: string }[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const sendJson = (req: http.IncomingMessage, res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(req.method === 'HEAD' ? undefined : text);
};

export const sendError = (req: http.IncomingMessage, res: http.ServerResponse, error: ApiError) =>
  sendJson(req, res, error.status, error.issues ? { error: error.message, issues: error.issues } : { error: error.message }, error.headers);

/**
 * Reads a JSON body of at most MAX_BODY_BYTES and validates it with `schema`: 415 without a JSON
 * content type, 413 past the limit (the rest is not read), 400 for text that is not JSON, 422 naming
 * each field that does not fit the schema.
 */
export const readJson = async <T extends z.ZodType>(req: http.IncomingMessage, schema: T): Promise<z.infer<T>> => {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    throw new ApiError(415, `send the body as JSON with content-type: application/json (got ${type ? `"${type.slice(0, 60)}"` : 'none'})`);
  }
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw tooLarge(declared);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw tooLarge(size);
    chunks.push(chunk);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (error) {
    throw new ApiError(400, `the body is not valid JSON (${(error as Error).message}); send one JSON object, e.g. {"text":"wave"}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ApiError(422, `invalid body: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
};

const tooLarge = (bytes: number) =>
  new ApiError(413, `the body is ${bytes > MAX_BODY_BYTES * 4 ? 'far ' : ''}too large: the limit is ${MAX_BODY_BYTES} bytes`, undefined, { connection: 'close' });

/** Query parameters validated like a body: 400 naming each bad one. */
export const readQuery = <T extends z.ZodType>(url: URL, schema: T): z.infer<T> => {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const issues = describeIssues(parsed.error);
    throw new ApiError(400, `bad query: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
  }
  return parsed.data;
};

/** Server-Sent Events framing: one `event:` line and one `data:` line of JSON (JSON has no raw newlines). */
export const sseFrame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no', // proxies (nginx) pass events on as they come
  connection: 'keep-alive',
};
