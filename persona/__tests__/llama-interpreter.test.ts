/**
 * The `llama` interpreter end to end: node-llama-cpp's prebuilt CPU binary loads a real GGUF file
 * (tiny random weights written in setup), the grammar built from the Directive JSON Schema constrains
 * sampling, and the reply streams through the same reader as the OpenAI path.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { directiveSchemaFor, GAZE_TARGETS } from '../../protocol/directive.js';
import { ARIA } from '../../characters/aria.js';
import { actionNames, expressionNames } from '../../characters/vocabulary.js';
import { collectTurn, type InterpreterEvent } from '../interpreter.js';
import { LlamaInterpreter } from '../llama-interpreter.js';
import { writeTinyGguf } from './tiny-gguf.js';

let dir: string;
let interpreter: LlamaInterpreter;
const names = { actions: actionNames(ARIA.vocabulary), expressions: expressionNames(ARIA.vocabulary) };

// One thread: llama.cpp's threads spin on barriers, and on a busy 2-core machine two of them can be 10× slower than one.
beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'persona-gguf-'));
  writeTinyGguf(path.join(dir, 'tiny.gguf'));
  interpreter = new LlamaInterpreter(ARIA, { modelPath: path.join(dir, 'tiny.gguf'), contextSize: 1024, maxTokens: 400, seed: 1, threads: 1 });
});

afterAll(async () => {
  await interpreter?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('llama interpreter', () => {
  it('loads a real GGUF file and, with the grammar, writes a schema-valid directive', { timeout: 90_000 }, async () => {
    const events: InterpreterEvent[] = [];
    let raw = '';
    for await (const event of interpreter.stream({ line: 'wave please', system: 'Answer as JSON.' })) {
      events.push(event);
      if (event.type === 'text') raw += event.chunk;
    }
    const done = events.at(-1)!;
    expect(done.type).toBe('done');
    const schema = directiveSchemaFor(names);
    for (const e of events) if (e.type === 'directive') expect(schema.safeParse(e.directive).success).toBe(true);
    // Random weights pick fields at random; with the grammar every field is either valid or null.
    const directives = events.filter((e) => e.type === 'directive');
    const notices = events.filter((e) => e.type === 'mapped' || e.type === 'dropped');
    expect(notices).toEqual([]);
    for (const { directive } of directives as Extract<InterpreterEvent, { type: 'directive' }>[]) {
      if (directive.action) expect(names.actions).toContain(directive.action.name);
      if (directive.expression) expect(names.expressions).toContain(directive.expression.name);
      if (directive.gaze) expect(GAZE_TARGETS).toContain(directive.gaze);
    }
    expect((done as { reply: string }).reply).toBe(raw.trim());
    expect(z.string().max(300).safeParse(raw).success).toBe(true);
  });

  it('stays schema-valid over several turns with history, streaming dialogue in pieces', { timeout: 90_000 }, async () => {
    for (const line of ['nod', 'sit down and look sad', '👋 مرحبا']) {
      let textEvents = 0;
      const events: InterpreterEvent[] = [];
      for await (const e of interpreter.stream({ line, system: 'Answer as JSON.', history: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: '{"dialogue":"hello"}' }] })) {
        events.push(e);
        if (e.type === 'text') textEvents++;
      }
      const turn = await collectTurn((async function* () { yield* events; })());
      expect(turn.notices).toEqual([]);
      if (turn.reply.length > 1) expect(textEvents).toBeGreaterThan(1);
    }
  });

  it('says which file is missing when the model path is wrong', async () => {
    const missing = new LlamaInterpreter(ARIA, { modelPath: path.join(dir, 'nope.gguf') });
    await expect(collectTurn(missing.stream({ line: 'wave' }))).rejects.toThrow(/no GGUF file at .*nope\.gguf; set PERSONA_LLAMA_MODEL/);
  });
});
