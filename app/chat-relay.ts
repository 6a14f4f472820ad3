/** Runs one chat turn and tells the client about it as it happens: directives, reply pieces, notices, the whole reply. */
import type { ServerMessage } from '../protocol/wire.js';
import type { Conversation } from '../persona/conversation.js';

export const relayChat = async (
  conversation: Conversation,
  text: string,
  send: (message: ServerMessage) => void,
  /** Told the LLM's time to first token (ms) when an LLM provider answers this turn. */
  onFirstToken?: (ms: number) => void,
  /** The voice: fed the reply as it streams, told when it is complete, cut when it is replaced. */
  speech?: { feed(text: string): void; end(): void; interrupt(): void },
): Promise<void> => {
  const started = performance.now();
  let firstToken = conversation.provider === 'embedded';
  const turn = conversation.say(text);
  const inReplyTo = text;
  for await (const event of turn.events) {
    if (!firstToken && (event.type === 'text' || (event.type === 'directive' && !event.speculative))) {
      firstToken = true;
      onFirstToken?.(performance.now() - started);
    }
    switch (event.type) {
      case 'directive':
        send({ type: 'directive', directive: event.directive, speculative: event.speculative, inReplyTo });
        break;
      case 'text':
        send({ type: 'reply.chunk', text: event.chunk, inReplyTo });
        speech?.feed(event.chunk);
        break;
      case 'mapped':
        send({ type: 'notice', level: 'info', text: `"${event.from}" is not something I know; doing "${event.to}" instead.`, inReplyTo });
        break;
      case 'dropped':
        send({ type: 'notice', level: 'info', text: `Skipped ${event.field} "${event.name}": ${event.reason}.`, inReplyTo });
        break;
      case 'fallback':
        speech?.interrupt(); // what the failed model began to say is replaced
        send({
          type: 'notice',
          level: 'warning',
          text: `The ${event.provider} model could not answer (${event.reason}); the built-in interpreter answered instead.`,
          inReplyTo,
        });
        break;
      case 'done':
        send({ type: 'reply', text: event.reply, inReplyTo, provider: event.provider });
        speech?.end();
        break;
      case 'confirmed':
        break; // the speculative start was right: nothing changes on screen
    }
  }
};
