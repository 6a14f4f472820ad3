/**
 * History survives `kill -9`: the real server process (`node bin/persona.js serve --port 0`) answers
 * through the OpenAI double, is killed mid-reply, restarted on the same data dir, and asked for its
 * history. Every finished turn is there, and the line being answered; only that reply is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { OpenAiDouble } from '../../persona/__tests__/openai-double.js';
import { TestClient } from './ws-client.js';

let double: OpenAiDouble;
let dataDir: string;
const children: ChildProcess[] = [];

/** Starts the server as a user would and resolves with the URL it prints. */
const serve = (env: Record<string, string>) =>
  new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/persona.js', 'serve', '--port', '0', '--size', '64'], {
      env: { ...process.env, PERSONA_DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    const timer = setTimeout(() => reject(new Error(`server printed no URL within 20 s:\n${output}`)), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /is live at (http:\/\/\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve({ child, url: new URL(url).origin }); // the printed URL opens the page (it may carry ?token=)
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before it was live:\n${output}`)));
  });

beforeAll(async () => {
  double = await OpenAiDouble.start();
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'persona-kill-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await double?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('persistence', () => {
  it('keeps the history after kill -9 mid-reply, losing at most the reply being generated', async () => {
    const llm = { PERSONA_PROVIDER: 'openai', PERSONA_OPENAI_BASE_URL: double.baseUrl, PERSONA_OPENAI_MODEL: 'test' };
    const first = await serve(llm);
    const client = await TestClient.connect(`${first.url.replace('http', 'ws')}/ws`);
    await client.waitFor('welcome', () => true, 5000);

    double.queue({ pieces: ['{"expression":{"name":"happy","intensity":0.6},', '"dialogue":"Nice to meet you, Sam!"}'] });
    client.send({ type: 'chat', text: 'Hi, I am Sam 👋' });
    const reply = await client.waitFor('reply', (m) => m.inReplyTo === 'Hi, I am Sam 👋', 10_000);
    expect(reply).toMatchObject({ text: 'Nice to meet you, Sam!', provider: 'openai' });

    // A slow reply: kill the process once its first words have streamed out.
    double.queue({ pieces: ['{"action":{"name":"nod"},"dialogue":"Let me', ' think', ' about', ' that', ' for', ' a', ' while', '..."}'], delayBetweenMs: 400 });
    client.send({ type: 'chat', text: 'שלום, nod please' });
    await client.waitFor('reply.chunk', (m) => m.inReplyTo === 'שלום, nod please', 10_000);
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    client.close();

    const second = await serve({ PERSONA_PROVIDER: 'embedded' });
    const history = (await (await fetch(`${second.url}/api/history`)).json()) as { messages: { role: string; content: string; provider: string | null }[] };
    expect(history.messages.map((m) => [m.role, m.content, m.provider])).toEqual([
      ['user', 'Hi, I am Sam 👋', null],
      ['assistant', 'Nice to meet you, Sam!', 'openai'],
      ['user', 'שלום, nod please', null],
    ]);
    second.child.kill('SIGTERM');
    await new Promise((r) => second.child.once('exit', r));
  });
});
