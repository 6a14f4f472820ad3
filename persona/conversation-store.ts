/**
 * Conversation history per character in SQLite (better-sqlite3, WAL). Each message is committed
 * as it is added, so a crash — even `kill -9` — loses at most the reply being generated.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Directive } from '../protocol/directive.js';
import type { ChatMessage } from './interpreter.js';

/** The data dir: `explicit`, else env PERSONA_DATA_DIR, else ~/.persona-engine. */
export const resolveDataDir = (explicit?: string): string => explicit ?? process.env.PERSONA_DATA_DIR ?? path.join(os.homedir(), '.persona-engine');

export interface StoredMessage {
  id: number;
  character: string;
  role: 'user' | 'assistant';
  content: string;
  directives: Directive[];
  /** Which interpreter answered (assistant messages). */
  provider: string | null;
  createdAt: number;
}

interface Row {
  id: number;
  character: string;
  role: 'user' | 'assistant';
  content: string;
  directives: string;
  provider: string | null;
  created_at: number;
}

const fromRow = (r: Row): StoredMessage => ({
  id: r.id,
  character: r.character,
  role: r.role,
  content: r.content,
  directives: JSON.parse(r.directives) as Directive[],
  provider: r.provider,
  createdAt: r.created_at,
});

export class ConversationStore {
  private readonly insert: Database.Statement;
  private readonly newest: Database.Statement;

  private constructor(private readonly db: Database.Database, readonly file: string) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode survives a killed process (the OS still has the pages); only power loss can drop the last commit.
    db.pragma('synchronous = NORMAL');
    db.exec(`CREATE TABLE IF NOT EXISTS messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      character TEXT NOT NULL,
      role TEXT NOT NULL CHECK (role IN ('user', 'assistant')),
      content TEXT NOT NULL,
      directives TEXT NOT NULL DEFAULT '[]',
      provider TEXT,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX IF NOT EXISTS messages_by_character ON messages (character, id);`);
    this.insert = db.prepare('INSERT INTO messages (character, role, content, directives, provider, created_at) VALUES (?, ?, ?, ?, ?, ?)');
    this.newest = db.prepare('SELECT * FROM messages WHERE character = ? ORDER BY id DESC LIMIT ?');
  }

  /** Opens (creating if needed) `persona.db` in the data dir; `':memory:'` keeps nothing. */
  static open(dataDir = resolveDataDir()): ConversationStore {
    if (dataDir === ':memory:') return new ConversationStore(new Database(':memory:'), ':memory:');
    try {
      mkdirSync(dataDir, { recursive: true });
    } catch (error) {
      throw new Error(`cannot create the data dir ${dataDir} (${(error as Error).message}); set PERSONA_DATA_DIR to a writable folder`);
    }
    const file = path.join(dataDir, 'persona.db');
    return new ConversationStore(new Database(file), file);
  }

  append(character: string, role: StoredMessage['role'], content: string, extra: { directives?: Directive[]; provider?: string } = {}): number {
    const info = this.insert.run(character, role, content, JSON.stringify(extra.directives ?? []), extra.provider ?? null, Date.now());
    return Number(info.lastInsertRowid);
  }

  /** The newest `limit` messages of a character, oldest first. */
  recent(character: string, limit = 200): StoredMessage[] {
    return (this.newest.all(character, limit) as Row[]).map(fromRow).reverse();
  }

  close(): void {
    this.db.close();
  }
}

/** Rough token count (4 characters a token): enough to keep a prompt inside a context window. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4) + 4;

/** The newest messages that fit in `budget` tokens, oldest first, as an LLM reads them. */
export const trimToBudget = (messages: readonly StoredMessage[], budget: number): ChatMessage[] => {
  const kept: ChatMessage[] = [];
  let used = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    used += estimateTokens(m.content);
    if (used > budget) break;
    kept.push({ role: m.role, content: m.content });
  }
  return kept.reverse();
};
