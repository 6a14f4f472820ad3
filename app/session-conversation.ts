/**
 * Binds a conversation to a session: its directives go to the session's inbox, its system prompt
 * reads the session's state, engine refusals flow back, and history goes to the data dir's SQLite.
 */
import type { PersonaConfig } from '../protocol/persona-config.js';
import { Conversation } from '../persona/conversation.js';
import { ConversationStore, resolveDataDir } from '../persona/conversation-store.js';
import { createLlmInterpreter } from '../persona/create-interpreter.js';
import type { PersonaSession } from './session.js';

export interface SessionConversation {
  conversation: Conversation;
  store: ConversationStore;
  close(): Promise<void>;
}

export const attachConversation = (session: PersonaSession, config: PersonaConfig): SessionConversation => {
  const store = ConversationStore.open(resolveDataDir(config.dataDir));
  const llm = createLlmInterpreter(session.character, config);
  const conversation = new Conversation({
    character: session.character,
    llm,
    store,
    submit: (directive) => void session.submit(directive),
    state: () => session.state(),
    historyTokenBudget: config.historyTokenBudget,
  });
  const off = session.onEvent((event) => conversation.noteEngineEvent(event));
  return {
    conversation,
    store,
    close: async () => {
      off();
      await llm?.dispose?.();
      store.close();
    },
  };
};
