/**
 * The frame-source panel: pick a source of the registry, fill its settings in a form made from its
 * JSON Schema (GET /api/sources), switch with POST /api/source, and watch it load (a progress bar;
 * a TensorRT engine build takes minutes) and what happened — ready on which provider, or why not.
 */
import type { SourceInfo, SourceStatus, SourcesListing } from '../protocol/frame-source.js';

interface Property {
  type?: string;
  enum?: unknown[];
  items?: { enum?: unknown[] };
  default?: unknown;
  minimum?: number;
  maximum?: number;
  maxLength?: number;
  description?: string;
}

const POLL_MS = 400;

export const mountSourcePanel = (query: URLSearchParams, root: HTMLElement = document.getElementById('source-panel')!): void => {
  const select = root.querySelector<HTMLSelectElement>('#source-select')!;
  const form = root.querySelector<HTMLFormElement>('#source-form')!;
  const fields = root.querySelector<HTMLElement>('#source-fields')!;
  const progress = root.querySelector<HTMLProgressElement>('#source-progress')!;
  const line = root.querySelector<HTMLElement>('#source-status')!;
  const summary = root.querySelector<HTMLElement>('summary span')!;
  const url = (path: string) => `${path}${query.size ? `?${query}` : ''}`;
  let sources: SourceInfo[] = [];
  let timer: ReturnType<typeof setTimeout> | null = null;

  const show = (status: SourceStatus | null) => {
    if (!status) {
      line.textContent = 'this session renders no frames';
      return;
    }
    summary.textContent = status.provider ? `${status.active} on ${status.provider}` : status.active;
    const loading = status.state === 'loading';
    progress.hidden = !loading;
    if (loading && status.progress) progress.value = status.progress.fraction;
    line.className = status.state === 'failed' ? 'failed' : '';
    line.textContent = loading
      ? `loading ${status.requested}: ${status.progress?.stage ?? ''}`
      : status.state === 'failed'
        ? (status.error ?? 'failed')
        : `showing ${status.active}${status.provider ? ` on ${status.provider}` : ''}`;
    if (loading) {
      timer ??= setTimeout(() => {
        timer = null;
        void refresh();
      }, POLL_MS);
    }
  };

  const field = (name: string, p: Property, value: unknown): HTMLElement => {
    const label = document.createElement('label');
    label.title = p.description ?? '';
    label.append(`${name} `);
    const choices = p.enum ?? p.items?.enum;
    let input: HTMLInputElement | HTMLSelectElement;
    if (p.enum) {
      input = document.createElement('select');
      for (const c of choices!) input.append(new Option(String(c), String(c)));
      input.value = String(value ?? p.default ?? choices![0]);
    } else {
      input = document.createElement('input');
      if (p.type === 'number' || p.type === 'integer') {
        input.type = 'number';
        input.step = p.type === 'integer' ? '1' : 'any';
        if (p.minimum !== undefined) input.min = String(p.minimum);
        if (p.maximum !== undefined) input.max = String(p.maximum);
      } else if (p.type === 'boolean') {
        input.type = 'checkbox';
        input.checked = Boolean(value ?? p.default);
      }
      if (p.maxLength) input.maxLength = p.maxLength;
      if (p.type === 'array') input.placeholder = (choices ?? []).join(',');
      const shown = value ?? p.default;
      if (input.type !== 'checkbox' && shown !== undefined) input.value = Array.isArray(shown) ? shown.join(',') : String(shown);
    }
    input.name = name;
    input.dataset.kind = p.type ?? (p.enum ? 'string' : 'string');
    label.append(input);
    return label;
  };

  const renderForm = (status: SourceStatus | null) => {
    const info = sources.find((s) => s.id === select.value);
    fields.replaceChildren();
    if (!info) return;
    const props = (info.configSchema.properties ?? {}) as Record<string, Property>;
    const current = status && status.active === info.id ? status.config : {};
    for (const [name, p] of Object.entries(props)) fields.append(field(name, p, current[name]));
    root.querySelector<HTMLElement>('#source-description')!.textContent = info.description;
  };

  const settings = (): Record<string, unknown> => {
    const config: Record<string, unknown> = {};
    for (const input of fields.querySelectorAll<HTMLInputElement | HTMLSelectElement>('input, select')) {
      const kind = input.dataset.kind;
      if (input instanceof HTMLInputElement && input.type === 'checkbox') config[input.name] = input.checked;
      else if (input.value === '') continue; // left empty: the source's default
      else if (kind === 'number' || kind === 'integer') config[input.name] = Number(input.value);
      else if (kind === 'array') config[input.name] = input.value.split(',').map((v) => v.trim()).filter(Boolean);
      else config[input.name] = input.value;
    }
    return config;
  };

  const refresh = async (): Promise<SourceStatus | null> => {
    const response = await fetch(url('/api/sources'), { cache: 'no-store' }).catch(() => null);
    if (!response?.ok) return null;
    const listing = (await response.json()) as SourcesListing;
    sources = listing.sources;
    show(listing.status);
    return listing.status;
  };

  select.addEventListener('change', () => renderForm(null));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const response = await fetch(url('/api/source'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: select.value, config: settings() }),
    }).catch(() => null);
    if (!response) return show(null);
    const body = (await response.json()) as SourceStatus & { error?: string };
    if (!response.ok) {
      line.className = 'failed';
      line.textContent = body.error ?? `the server answered ${response.status}`;
      return;
    }
    show(body);
  });

  void refresh().then((status) => {
    select.replaceChildren(...sources.map((s) => new Option(s.label, s.id)));
    if (status) select.value = status.active;
    renderForm(status);
  });
};
