// Webhook events: builders from records validate against the schemas, stable ids, and the OpenAPI webhooks section.
import { describe, expect, it } from 'vitest';
import type { Batch, Garment, Render } from '../../src/db/schema.js';
import {
  batchCompletedEvent,
  garmentEvent,
  parseWebhookEvent,
  pingEvent,
  renderFailedEvent,
  renderSucceededEvent,
  WEBHOOK_API_VERSION,
  WEBHOOK_EVENT_TYPES,
  webhookEventsOpenApi,
} from '../../src/webhooks/events.js';

const t0 = new Date('2026-11-02T10:00:00Z');
const render = (over: Partial<Render> = {}): Render => ({
  id: 'ren_1', tenant_id: 'ten_1', batch_id: 'bat_1', garment_id: 'gar_1', model_id: 'mod_1', options: {}, status: 'succeeded', stage: null,
  progress: 1, error: null, result_key: 't/ten_1/renders/ren_1/v1.jpg', quality: { pose: 0.9 }, needs_review: false, version: 1,
  created_at: t0, started_at: t0, finished_at: t0, ...over,
});
const sign = (key: string, w: number | null) => `https://api.example/v1/files/${key}?exp=1&sig=x${w ? `&w=${w}` : ''}`;

describe('webhook events', () => {
  it('render.succeeded carries a signed URL per asked width plus the full size', () => {
    const e = renderSucceededEvent(render(), { signUrl: sign, widths: [1024, 512, 512], expiresAt: t0 }, t0);
    expect(e).toMatchObject({ type: 'render.succeeded', api_version: WEBHOOK_API_VERSION, created_at: t0.toISOString() });
    expect(e.data.images.map((i) => i.width)).toEqual([null, 512, 1024]);
    expect(e.data.images[1].url).toBe(sign('t/ten_1/renders/ren_1/v1.jpg', 512));
    expect(parseWebhookEvent(JSON.parse(JSON.stringify(e)))).toEqual(e);
  });

  it('ids are stable per (type, record, version) and differ otherwise', () => {
    const a = renderSucceededEvent(render(), { signUrl: sign, widths: [], expiresAt: t0 });
    const b = renderSucceededEvent(render(), { signUrl: sign, widths: [], expiresAt: t0 }, new Date());
    const v2 = renderSucceededEvent(render({ version: 2 }), { signUrl: sign, widths: [], expiresAt: t0 });
    expect(a.id).toMatch(/^evt_[A-Za-z0-9_-]{24}$/);
    expect(b.id).toBe(a.id);
    expect(v2.id).not.toBe(a.id);
    expect(pingEvent().id).not.toBe(pingEvent().id);
  });

  it('render.failed has the reason; batch.completed summarises every render', () => {
    const failed = render({ id: 'ren_2', model_id: 'mod_2', status: 'failed', result_key: null, error: { code: 'no_pose', detail: 'no person found' } });
    expect(renderFailedEvent(failed).data).toMatchObject({ reason: 'no person found', error: { code: 'no_pose' } });
    const batch: Batch = { id: 'bat_1', tenant_id: 'ten_1', garment_id: 'gar_1', options: {}, webhook_url: null, status: 'completed', total: 2, succeeded: 1, failed: 1, canceled: 0, idempotency_key: null, created_at: t0, completed_at: t0 };
    const e = batchCompletedEvent(batch, [render(), failed], sign);
    expect(e.data.counts).toEqual({ total: 2, succeeded: 1, failed: 1, canceled: 0 });
    expect(e.data.renders.map((r) => [r.id, r.status, r.image_url !== null, r.error?.code ?? null])).toEqual([
      ['ren_1', 'succeeded', true, null],
      ['ren_2', 'failed', false, 'no_pose'],
    ]);
  });

  it('garment.failed vs garment.ready follow the record', () => {
    const g = { id: 'gar_1', tenant_id: 'ten_1', name: 'tee', metadata: {}, status: 'ready', error: null, source_key: 'k', sha256: 's', width: 800, height: 900, analysis_key: null, analysis: null, created_at: t0, updated_at: t0, deleted_at: null, sku: 'SKU1', category: 'top' } as Garment;
    expect(garmentEvent(g).type).toBe('garment.ready');
    const f = garmentEvent({ ...g, status: 'failed', error: { code: 'no_garment', detail: 'nothing to cut out' } });
    expect(f).toMatchObject({ type: 'garment.failed', data: { error: { code: 'no_garment' } } });
  });

  it('refuses a malformed event', () => {
    expect(() => parseWebhookEvent({ id: 'x', type: 'ping', api_version: WEBHOOK_API_VERSION, created_at: '', data: { message: 'hi' } })).toThrow();
    expect(() => parseWebhookEvent({ ...pingEvent(), type: 'render.exploded' })).toThrow();
  });

  it('the OpenAPI webhooks section documents every event with its JSON Schema and signature headers', () => {
    const doc = webhookEventsOpenApi() as Record<string, { post: { requestBody: { content: Record<string, { schema: Record<string, any> }> }; parameters: { name: string }[] } }>;
    expect(Object.keys(doc).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
    const schema = doc['render.succeeded'].post.requestBody.content['application/json'].schema;
    expect(schema.properties.type.const).toBe('render.succeeded');
    expect(schema.properties.data.properties.images.items.required).toEqual(['width', 'url']);
    expect(schema.$schema).toBeUndefined();
    expect(doc.ping.post.parameters.map((p) => p.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  });
});
