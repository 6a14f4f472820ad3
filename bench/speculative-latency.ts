/**
 * Action latency through the conversation manager while an LLM takes 2 s to answer: chat line →
 * first finished frame whose raised arm moved. The speculative start should make it the same as
 * the embedded path's `action_latency_ms`, not 2 s more.
 */
import { distribution, type Distribution } from '../engine/profiler.js';
import { PersonaSession } from '../app/session.js';
import { armMovedAfter } from './arm-moved.js';
import { Conversation } from '../persona/conversation.js';
import type { Interpreter, InterpreterEvent } from '../persona/interpreter.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stands in for a remote model that thinks for `ms` and then agrees to wave. */
class SlowModel implements Interpreter {
  readonly provider = 'openai' as const;
  constructor(private readonly ms: number) {}
  async *stream(): AsyncIterable<InterpreterEvent> {
    await sleep(this.ms);
    yield { type: 'directive', directive: { id: `slow-${Date.now()}`, source: 'llm', action: { name: 'wave' } } };
    yield { type: 'done', reply: 'Hi!' };
  }
}

export const measureSpeculativeLatency = async (samples: number, llmMs = 2000): Promise<Distribution | null> => {
  const session = new PersonaSession();
  const conversation = new Conversation({ character: session.character, llm: new SlowModel(llmMs), submit: (d) => void session.submit(d), state: () => session.state() });
  session.start();
  await sleep(300);
  const latencies: number[] = [];
  for (let i = 0; i < samples; i++) {
    await sleep(Math.random() * 40);
    const moved = armMovedAfter(session);
    const turn = conversation.say('wave');
    latencies.push(await moved);
    for await (const _ of turn.events); // the model's answer confirms the wave; wait for it before the next line
    await new Promise<void>((resolve) => {
      const check = () => (session.state().action === 'idle' ? resolve() : setTimeout(check, 50));
      check();
    });
    await sleep(300);
  }
  session.stop();
  return distribution(latencies);
};
