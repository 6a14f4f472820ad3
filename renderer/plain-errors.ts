/**
 * The server's error reasons, as the chat shows them: plain words that say what to do. The server
 * words its errors for programs and logs ("invalid message: text: Too big: …"); a person typing a
 * message needs to know whether to shorten it, wait, or reload.
 */

/** Most characters a chat line may have: ClientMessageSchema's chat text (protocol/wire.ts); a test checks the two agree. */
export const MAX_CHAT_CHARS = 2000;

const LIMIT = MAX_CHAT_CHARS.toLocaleString('en-US');

const RULES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^invalid message: text: Too big|^chat line too long|^message too large/, () => `That message is too long: the limit is ${LIMIT} characters. Try a shorter one.`],
  [/^too many chat lines: .*?; (".*") was not read/s, (m) => `That was a lot at once: ${m[1]} was not read. Wait a second and send it again.`],
  [/^too many chat lines/, () => 'That was a lot at once: wait a second and send it again.'],
  [/^chat line is empty/, () => 'Say something first, e.g. "wave".'],
  [/^(invalid|malformed) message/, () => 'The page and the server disagree about a message: reload the page (the server may have been updated).'],
];

export const plainError = (reason: string): string => {
  for (const [pattern, words] of RULES) {
    const match = pattern.exec(reason);
    if (match) return words(match);
  }
  return `Something went wrong: ${reason}`;
};
