/**
 * What the page asks the server over plain HTTP: the recent conversation (so a reload or a second
 * tab picks up where the chat was), and whether the server is up and lets this page in.
 */

export interface HistoryLine {
  role: 'user' | 'assistant';
  content: string;
}

/** How many earlier messages a page shows when it opens. */
const HISTORY_SHOWN = 50;

/** `needs-token`: the server was started with --token and this address has none (or a wrong one). */
export type Reachability = 'ok' | 'needs-token' | 'down';

const withQuery = (path: string, query: URLSearchParams, extra: Record<string, string> = {}) => {
  const all = new URLSearchParams(query);
  for (const [key, value] of Object.entries(extra)) all.set(key, value);
  return `${path}?${all}`;
};

/** The session's newest messages, oldest first; `needs-token` or `down` when they cannot be read. */
export const fetchHistory = async (query: URLSearchParams): Promise<{ status: Reachability; messages: HistoryLine[] }> => {
  try {
    const response = await fetch(withQuery('/api/history', query, { limit: String(HISTORY_SHOWN) }), { cache: 'no-store' });
    if (response.status === 401) return { status: 'needs-token', messages: [] };
    if (!response.ok) return { status: 'ok', messages: [] }; // no history is no reason to keep the page from working
    const body = (await response.json()) as { messages?: HistoryLine[] };
    return { status: 'ok', messages: (body.messages ?? []).filter((m) => m.role === 'user' || m.role === 'assistant') };
  } catch {
    return { status: 'down', messages: [] };
  }
};

/** GET /api/health with this page's token: is the server there, and does it let us in? */
export const checkServer = async (query: URLSearchParams): Promise<Reachability> => {
  try {
    const response = await fetch(withQuery('/api/health', query), { cache: 'no-store' });
    return response.status === 401 ? 'needs-token' : response.ok ? 'ok' : 'down';
  } catch {
    return 'down';
  }
};
