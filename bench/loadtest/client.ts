// A tenant's HTTP client for the load test: uploads, batches, Server-Sent Events; counts every request it makes by kind.
import { randomUUID } from 'node:crypto';

export type RequestKind = 'upload' | 'poll_assets' | 'create_batch' | 'events' | 'get_batch';

export class RequestCounter {
  readonly counts: Record<RequestKind, number> = { upload: 0, poll_assets: 0, create_batch: 0, events: 0, get_batch: 0 };
  readonly failures: Record<string, number> = {};
  add(kind: RequestKind) {
    this.counts[kind]++;
  }
  fail(what: string) {
    this.failures[what] = (this.failures[what] ?? 0) + 1;
  }
  snapshot(): Record<RequestKind, number> {
    return { ...this.counts };
  }
}

export interface RenderResult {
  id: string;
  status: string;
  /** ms since the epoch, from the render's finished_at. */
  finishedAt: number | null;
}

export interface BatchResult {
  id: string;
  size: number;
  submittedAt: number;
  /** When this client saw batch.completed (ms since the epoch). */
  completedAt: number;
  renders: RenderResult[];
}

export class TenantClient {
  constructor(
    readonly name: string,
    private readonly base: string,
    private readonly key: string,
    private readonly counter: RequestCounter,
  ) {}

  private headers(extra: Record<string, string> = {}) {
    return { authorization: `Bearer ${this.key}`, ...extra };
  }

  private async json<T>(kind: RequestKind, path: string, init: RequestInit = {}, okStatus = [200]): Promise<T> {
    this.counter.add(kind);
    const res = await fetch(`${this.base}${path}`, { ...init, headers: { ...this.headers(), ...(init.headers as Record<string, string>) } });
    const text = await res.text();
    if (!okStatus.includes(res.status)) {
      this.counter.fail(`${kind} ${res.status}`);
      throw new Error(`${this.name}: ${init.method ?? 'GET'} ${path} answered ${res.status}: ${text.slice(0, 400)}`);
    }
    return JSON.parse(text) as T;
  }

  async upload(kind: 'garments' | 'models', bytes: Uint8Array, file: string, fields: Record<string, string>): Promise<{ id: string; status: string }> {
    const form = new FormData();
    form.set('image', new Blob([new Uint8Array(bytes)]), file);
    for (const [k, v] of Object.entries(fields)) form.set(k, v);
    return this.json('upload', `/v1/${kind}`, { method: 'POST', body: form }, [200, 201, 202]);
  }

  async listAssets(kind: 'garments' | 'models'): Promise<{ id: string; status: string }[]> {
    const page = await this.json<{ items: { id: string; status: string }[] }>('poll_assets', `/v1/${kind}?limit=100`);
    return page.items;
  }

  /**
   * POST /v1/tryons, follow its events until batch.completed (or `timeoutMs`), then GET it for the renders' outcomes.
   * Latency is submit → batch.completed seen by this client.
   */
  async runBatch(garmentId: string, modelIds: string[], timeoutMs: number): Promise<BatchResult> {
    const submittedAt = Date.now();
    const batch = await this.json<{ id: string }>(
      'create_batch',
      '/v1/tryons',
      { method: 'POST', body: JSON.stringify({ garment_id: garmentId, model_ids: modelIds }), headers: { 'content-type': 'application/json', 'idempotency-key': randomUUID() } },
      [202],
    );
    await this.waitCompleted(batch.id, timeoutMs);
    const completedAt = Date.now();
    const full = await this.json<{ status: string; renders: { id: string; status: string; finished_at: string | null }[] }>('get_batch', `/v1/tryons/${batch.id}`);
    if (full.status !== 'completed') throw new Error(`${this.name}: batch ${batch.id} announced batch.completed but reads ${full.status}`);
    return {
      id: batch.id,
      size: modelIds.length,
      submittedAt,
      completedAt,
      renders: full.renders.map((r) => ({ id: r.id, status: r.status, finishedAt: r.finished_at ? Date.parse(r.finished_at) : null })),
    };
  }

  /** Reads GET /v1/tryons/{id}/events until a batch.completed event; the stream's snapshot covers a batch that ended before we listened. */
  private async waitCompleted(batchId: string, timeoutMs: number): Promise<void> {
    this.counter.add('events');
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), timeoutMs);
    try {
      const res = await fetch(`${this.base}/v1/tryons/${batchId}/events`, { headers: this.headers({ accept: 'text/event-stream' }), signal: ac.signal });
      if (res.status !== 200 || !res.body) {
        this.counter.fail(`events ${res.status}`);
        throw new Error(`${this.name}: events of ${batchId} answered ${res.status}: ${(await res.text()).slice(0, 400)}`);
      }
      const decoder = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          // Leaving the loop cancels the stream (the connection closes).
          if (/^event: batch\.completed$/m.test(block)) return;
        }
      }
      throw new Error(`${this.name}: the event stream of ${batchId} ended without batch.completed`);
    } catch (err) {
      if (ac.signal.aborted && (err as Error).name === 'AbortError') {
        this.counter.fail('batch timeout');
        throw new Error(`${this.name}: batch ${batchId} did not complete within ${Math.round(timeoutMs / 1000)} s`);
      }
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
