// The dashboard's API client: bearer key from sessionStorage, JSON calls, uploads with progress (XHR), and SSE over fetch.
export interface Problem { title?: string; detail?: string; status?: number; code?: string; errors?: { field: string; message: string }[] }
export interface Point { x: number; y: number }
export interface Asset {
  id: string; status: 'queued' | 'processing' | 'ready' | 'failed'; name: string | null; width: number | null; height: number | null;
  created_at: string; urls: { source: string; analysis: string | null }; analysis: Record<string, any> | null; error: Problem | null;
}
export interface Garment extends Asset { object: 'garment'; sku: string | null; category: 'top' | 'bottom' | 'dress' | null }
export interface Model extends Asset { object: 'model'; tags: string[] }
export interface Render {
  id: string; batch_id: string; garment_id: string; model_id: string; version: number;
  status: 'queued' | 'waiting' | 'processing' | 'succeeded' | 'failed' | 'canceled'; stage: string | null; progress: number;
  options: Record<string, any>; urls: { result: string | null }; quality: Record<string, any> | null; needs_review: boolean; error: Problem | null;
}
export interface Batch { id: string; status: string; garment_id: string; counts: Record<string, number>; renders: Render[]; created_at: string }
export interface Page<T> { items: T[]; next_cursor: string | null }

const KEY = 'tryon.apiKey';
export const session = {
  get: () => sessionStorage.getItem(KEY),
  set: (k: string) => sessionStorage.setItem(KEY, k),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

const headers = (extra: Record<string, string> = {}) => ({ authorization: `Bearer ${session.get() ?? ''}`, ...extra });

export async function api<T>(path: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<T> {
  const h: Record<string, string> = init.key ? { authorization: `Bearer ${init.key}` } : headers();
  if (init.body !== undefined) h['content-type'] = 'application/json';
  const res = await fetch(path, { method: init.method ?? 'GET', headers: h, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
  if (res.status === 204) return undefined as T;
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    if (res.status === 401 && !init.key) window.dispatchEvent(new Event('tryon:signed-out'));
    throw new ApiError(res.status, data as Problem);
  }
  return data as T;
}

/** Multipart upload with progress (fetch has no upload progress). */
export function upload<T>(path: string, file: File, fields: Record<string, string>, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const form = new FormData();
    form.set('image', file, file.name);
    for (const [k, v] of Object.entries(fields)) if (v) form.set(k, v);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    xhr.setRequestHeader('authorization', `Bearer ${session.get() ?? ''}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: any = {};
      try { body = JSON.parse(xhr.responseText); } catch { /* not JSON */ }
      if (xhr.status >= 200 && xhr.status < 300) { onProgress(1); resolve(body as T); } else reject(new ApiError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: 'The upload could not reach the server.' }));
    xhr.send(form);
  });
}

export interface StreamEvent { type: string; data: any }

/**
 * Server-Sent Events read with fetch: EventSource cannot send the Authorization header, and the key must
 * never go into a URL. Returns a stopper; `onEnd` runs when the server closes the stream (batch completed).
 */
export function stream(path: string, onEvent: (e: StreamEvent) => void, onEnd?: (err?: unknown) => void): () => void {
  const ctl = new AbortController();
  (async () => {
    const res = await fetch(path, { headers: headers({ accept: 'text/event-stream' }), signal: ctl.signal });
    if (!res.ok || !res.body) throw new ApiError(res.status, await res.json().catch(() => ({})));
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        let type = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) type = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
        }
        if (data.length) onEvent({ type, data: JSON.parse(data.join('\n')) });
      }
    }
  })().then(() => onEnd?.(), (err) => { if (!ctl.signal.aborted) onEnd?.(err); });
  return () => ctl.abort();
}

/** A signed URL resized on the server (the signature covers the key only). */
export const sized = (url: string | null | undefined, w: number, format = 'webp') => (url ? `${url}${url.includes('?') ? '&' : '?'}w=${w}&format=${format}` : '');

export async function blobOf(url: string): Promise<Blob> {
  const res = await fetch(url);
  if (!res.ok) throw new ApiError(res.status, { detail: `Could not download (${res.status}).` });
  return res.blob();
}

export function saveBlob(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

export const message = (err: unknown) => (err instanceof Error ? err.message : String(err));
