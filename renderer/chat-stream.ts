/**
 * The chat's view of a turn as it streams: reply text growing in one bubble, each directive as it
 * is sent (and whether it started before the LLM answered), notices (the LLM was unreachable and the
 * built-in interpreter answered; a name was mapped or skipped), and which interpreter answered.
 */
import type { Directive } from '../protocol/directive.js';
import type { ChatVia } from '../protocol/wire.js';

const VIA_LABEL: Record<ChatVia, string> = { page: 'from another tab', api: 'via API', mcp: 'via MCP' };

export type AddLine = (who: string, text: string) => HTMLLIElement;

const describe = (d: Directive): string => {
  const parts: string[] = [];
  if (d.action) parts.push(`${d.action.name.replace(/_/g, ' ')}${d.action.repeat && d.action.repeat > 1 ? ` ×${d.action.repeat}` : ''}`);
  if (d.expression) parts.push(`${d.expression.name} ${Math.round(d.expression.intensity * 100)}%`);
  if (d.gaze) parts.push(`look ${d.gaze}`);
  return parts.join(', ');
};

export class ChatStream {
  private streaming: HTMLLIElement | null = null;

  constructor(private readonly addLine: AddLine, private readonly providerLabel: HTMLElement) {}

  /** A line someone else said (another tab, a program, an agent): shown as a user line marked with where it came from. */
  echo(text: string, via: ChatVia): void {
    const li = this.addLine('user remote', text);
    li.dataset.via = via;
    const badge = document.createElement('span');
    badge.className = 'via';
    badge.textContent = VIA_LABEL[via] ?? `via ${String(via)}`;
    li.appendChild(badge);
  }

  chunk(text: string): void {
    this.streaming ??= this.addLine('persona', '');
    this.streaming.textContent += text;
  }

  reply(text: string, provider?: string): void {
    const li = this.streaming ?? this.addLine('persona', text);
    this.streaming = null;
    li.textContent = text;
    if (!provider) return;
    li.dataset.provider = provider;
    const badge = document.createElement('span');
    badge.className = 'provider';
    badge.textContent = provider;
    li.appendChild(badge);
    this.providerLabel.textContent = provider;
  }

  directive(directive: Directive, speculative: boolean): void {
    this.addLine('directive', `${describe(directive)}${speculative ? ' · started at once' : ''}`);
  }

  notice(level: 'info' | 'warning', text: string): void {
    // The built-in interpreter's answer replaces whatever the failed model had begun to say.
    if (level === 'warning' && this.streaming) this.streaming.textContent = '';
    this.addLine(level === 'warning' ? 'notice warning' : 'notice', text);
  }

  refused(action: string, reason: string): void {
    this.addLine('notice', `I can't ${action.replace(/_/g, ' ')} right now: ${reason}.`);
  }
}
