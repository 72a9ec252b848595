// Every operation of the API, declared once: routes are mounted from this list and the OpenAPI document is built from it.
import type { z } from 'zod';
import * as s from './schemas.js';

export type Scope = 'read' | 'write' | 'admin';

export interface ResponseSpec {
  description: string;
  /** A zod schema (JSON), 'image' (binary image), 'sse' (text/event-stream) or nothing. */
  body?: z.ZodType | 'image' | 'sse' | 'html';
}

export interface Operation {
  id: string;
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path: `/v1/garments/{id}`. */
  path: string;
  summary: string;
  tag: string;
  /** Scope the API key needs; null = public. 'signed' = an API key with read, or a signed URL. */
  auth: Scope | 'signed' | null;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: { schema: z.ZodType; kind: 'json' } | { schema: z.ZodObject; kind: 'multipart'; file: string };
  /** Accepts an Idempotency-Key header. */
  idempotent?: boolean;
  responses: Record<number, ResponseSpec>;
}

const problems = (...codes: number[]): Record<number, ResponseSpec> =>
  Object.fromEntries(codes.map((c) => [c, { description: 'Problem details (application/problem+json)', body: s.problemSchema }]));

const uploadProblems = problems(400, 401, 403, 409, 413, 415, 422, 429, 503);

export const operations = {
  health: { id: 'health', method: 'get', path: '/healthz', summary: 'Liveness: the process answers', tag: 'health', auth: null, responses: { 200: { description: 'Alive', body: s.healthResource } } },
  ready: {
    id: 'ready', method: 'get', path: '/readyz', summary: 'Readiness: Redis, the database and storage are reachable', tag: 'health', auth: null,
    responses: { 200: { description: 'Ready', body: s.readyResource }, 503: { description: 'A dependency failed (see checks)', body: s.readyResource } },
  },
  openapi: { id: 'openapi', method: 'get', path: '/v1/openapi.json', summary: 'This OpenAPI 3.1 document', tag: 'meta', auth: null, responses: { 200: { description: 'The document' } } },
  docs: { id: 'docs', method: 'get', path: '/v1/docs', summary: 'API reference page', tag: 'meta', auth: null, responses: { 200: { description: 'HTML', body: 'html' } } },

  createGarment: {
    id: 'createGarment', method: 'post', path: '/v1/garments', summary: 'Upload a garment photo; its analysis is queued', tag: 'garments', auth: 'write', idempotent: true,
    body: { kind: 'multipart', schema: s.garmentUploadFields, file: 'image' },
    responses: { 202: { description: 'Stored; preparation queued (Location: the garment)', body: s.garmentResource }, ...uploadProblems },
  },
  listGarments: {
    id: 'listGarments', method: 'get', path: '/v1/garments', summary: 'List garments, newest first', tag: 'garments', auth: 'read', query: s.garmentListQuery,
    responses: { 200: { description: 'A page of garments', body: s.pageOf(s.garmentResource) }, ...problems(400, 401, 403, 429) },
  },
  getGarment: {
    id: 'getGarment', method: 'get', path: '/v1/garments/{id}', summary: 'A garment and its preparation status', tag: 'garments', auth: 'read', params: s.idParams,
    responses: { 200: { description: 'The garment', body: s.garmentResource }, ...problems(401, 403, 404, 429) },
  },
  deleteGarment: {
    id: 'deleteGarment', method: 'delete', path: '/v1/garments/{id}', summary: 'Delete a garment (renders made with it stay)', tag: 'garments', auth: 'write', params: s.idParams,
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 429) },
  },

  createModel: {
    id: 'createModel', method: 'post', path: '/v1/models', summary: 'Upload a model photo; its analysis is queued', tag: 'models', auth: 'write', idempotent: true,
    body: { kind: 'multipart', schema: s.modelUploadFields, file: 'image' },
    responses: { 202: { description: 'Stored; preparation queued (Location: the model)', body: s.modelResource }, ...uploadProblems },
  },
  listModels: {
    id: 'listModels', method: 'get', path: '/v1/models', summary: 'List models, newest first, filtered by tags', tag: 'models', auth: 'read', query: s.modelListQuery,
    responses: { 200: { description: 'A page of models', body: s.pageOf(s.modelResource) }, ...problems(400, 401, 403, 429) },
  },
  getModel: {
    id: 'getModel', method: 'get', path: '/v1/models/{id}', summary: 'A model and its preparation status', tag: 'models', auth: 'read', params: s.idParams,
    responses: { 200: { description: 'The model', body: s.modelResource }, ...problems(401, 403, 404, 429) },
  },
  deleteModel: {
    id: 'deleteModel', method: 'delete', path: '/v1/models/{id}', summary: 'Delete a model (renders made with it stay)', tag: 'models', auth: 'write', params: s.idParams,
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 429) },
  },

  createTryon: {
    id: 'createTryon', method: 'post', path: '/v1/tryons', summary: 'Put one garment on many models: a batch with one render per model', tag: 'tryons', auth: 'write', idempotent: true,
    body: { kind: 'json', schema: s.tryonCreateBody },
    responses: { 202: { description: 'The batch and its renders, queued (Location: the batch)', body: s.batchResource }, ...problems(400, 401, 403, 404, 409, 413, 422, 429, 503) },
  },
  getTryon: {
    id: 'getTryon', method: 'get', path: '/v1/tryons/{id}', summary: 'A batch and the status, progress and results of its renders', tag: 'tryons', auth: 'read', params: s.idParams,
    responses: { 200: { description: 'The batch', body: s.batchResource }, ...problems(401, 403, 404, 429) },
  },
  tryonEvents: {
    id: 'tryonEvents', method: 'get', path: '/v1/tryons/{id}/events', summary: 'Live events of a batch (Server-Sent Events): a snapshot first, then queued, progress, succeeded, failed, canceled, batch.completed', tag: 'tryons', auth: 'read', params: s.idParams,
    responses: { 200: { description: 'text/event-stream', body: 'sse' }, ...problems(401, 403, 404, 429) },
  },
  getRender: {
    id: 'getRender', method: 'get', path: '/v1/renders/{id}', summary: 'One render', tag: 'renders', auth: 'read', params: s.idParams,
    responses: { 200: { description: 'The render', body: s.renderResource }, ...problems(401, 403, 404, 429) },
  },
  rerender: {
    id: 'rerender', method: 'post', path: '/v1/renders/{id}/rerender', summary: 'Render again with new options (a new version)', tag: 'renders', auth: 'write', idempotent: true, params: s.idParams,
    body: { kind: 'json', schema: s.rerenderBody },
    responses: { 202: { description: 'The render, queued at its new version', body: s.renderResource }, ...problems(400, 401, 403, 404, 409, 422, 429, 503) },
  },
  cancelRender: {
    id: 'cancelRender', method: 'post', path: '/v1/renders/{id}/cancel', summary: 'Cancel a render that has not ended', tag: 'renders', auth: 'write', params: s.idParams,
    responses: { 200: { description: 'The render, canceled', body: s.renderResource }, ...problems(401, 403, 404, 409, 429) },
  },

  getFile: {
    id: 'getFile', method: 'get', path: '/v1/files/{key}', summary: 'A stored input or result, resized or converted on the fly ({key} may contain "/")', tag: 'files', auth: 'signed',
    params: s.fileParams, query: s.fileQuery,
    responses: { 200: { description: 'The file', body: 'image' }, 304: { description: 'Not modified (If-None-Match)' }, ...problems(400, 401, 403, 404, 422, 429) },
  },

  listKeys: {
    id: 'listKeys', method: 'get', path: '/v1/keys', summary: "The tenant's API keys (never the keys themselves)", tag: 'keys', auth: 'admin',
    responses: { 200: { description: 'Keys', body: s.pageOf(s.apiKeyResource) }, ...problems(401, 403, 429) },
  },
  createKey: {
    id: 'createKey', method: 'post', path: '/v1/keys', summary: 'Create an API key (shown once)', tag: 'keys', auth: 'admin', body: { kind: 'json', schema: s.keyCreateBody },
    responses: { 201: { description: 'The key, with its secret', body: s.createdApiKeyResource }, ...problems(400, 401, 403, 429) },
  },
  revokeKey: {
    id: 'revokeKey', method: 'delete', path: '/v1/keys/{id}', summary: 'Revoke an API key', tag: 'keys', auth: 'admin', params: s.idParams,
    responses: { 204: { description: 'Revoked' }, ...problems(401, 403, 404, 429) },
  },

  adminQueues: {
    id: 'adminQueues', method: 'get', path: '/v1/admin/queues', summary: 'Job counts per queue and state (the whole service: admin scope)', tag: 'admin', auth: 'admin',
    responses: { 200: { description: 'Counts', body: s.queueCountsResource }, ...problems(401, 403, 429, 503) },
  },
  listWebhookDeliveries: {
    id: 'listWebhookDeliveries', method: 'get', path: '/v1/admin/webhook-deliveries', summary: "The tenant's webhook delivery log, newest first", tag: 'admin', auth: 'admin', query: s.deliveryListQuery,
    responses: { 200: { description: 'A page of deliveries', body: s.pageOf(s.webhookDeliveryResource) }, ...problems(400, 401, 403, 429) },
  },

  // Webhooks. Scopes: managing endpoints and seeing secrets needs admin (an endpoint receives every
  // render's URLs: as sensitive as a key); reading endpoints and deliveries needs read; a ping or a
  // replay (calls to an endpoint already registered) needs write.
  createWebhookEndpoint: {
    id: 'createWebhookEndpoint', method: 'post', path: '/v1/webhook-endpoints', summary: 'Register a webhook endpoint (its secret is shown once)', tag: 'webhooks', auth: 'admin',
    body: { kind: 'json', schema: s.webhookEndpointCreateBody },
    responses: { 201: { description: 'The endpoint, with its signing secret', body: s.webhookEndpointWithSecretResource }, ...problems(400, 401, 403, 422, 429) },
  },
  listWebhookEndpoints: {
    id: 'listWebhookEndpoints', method: 'get', path: '/v1/webhook-endpoints', summary: 'List webhook endpoints, newest first', tag: 'webhooks', auth: 'read', query: s.pageQuery,
    responses: { 200: { description: 'A page of endpoints', body: s.pageOf(s.webhookEndpointResource) }, ...problems(400, 401, 403, 429) },
  },
  getWebhookEndpoint: {
    id: 'getWebhookEndpoint', method: 'get', path: '/v1/webhook-endpoints/{id}', summary: 'A webhook endpoint (never its secret)', tag: 'webhooks', auth: 'read', params: s.idParams,
    responses: { 200: { description: 'The endpoint', body: s.webhookEndpointResource }, ...problems(401, 403, 404, 429) },
  },
  updateWebhookEndpoint: {
    id: 'updateWebhookEndpoint', method: 'patch', path: '/v1/webhook-endpoints/{id}', summary: 'Change URL, events, description; enable or disable', tag: 'webhooks', auth: 'admin', params: s.idParams,
    body: { kind: 'json', schema: s.webhookEndpointPatchBody },
    responses: { 200: { description: 'The endpoint', body: s.webhookEndpointResource }, ...problems(400, 401, 403, 404, 422, 429) },
  },
  deleteWebhookEndpoint: {
    id: 'deleteWebhookEndpoint', method: 'delete', path: '/v1/webhook-endpoints/{id}', summary: 'Delete a webhook endpoint (pending deliveries to it are not sent)', tag: 'webhooks', auth: 'admin', params: s.idParams,
    responses: { 204: { description: 'Deleted' }, ...problems(401, 403, 404, 429) },
  },
  rotateWebhookSecret: {
    id: 'rotateWebhookSecret', method: 'post', path: '/v1/webhook-endpoints/{id}/rotate-secret', summary: 'New signing secret; the old one keeps signing too for an overlap period', tag: 'webhooks', auth: 'admin', params: s.idParams,
    responses: { 200: { description: 'The endpoint, with its new secret', body: s.webhookEndpointWithSecretResource }, ...problems(401, 403, 404, 429) },
  },
  pingWebhookEndpoint: {
    id: 'pingWebhookEndpoint', method: 'post', path: '/v1/webhook-endpoints/{id}/ping', summary: 'Send a test `ping` event (also to a disabled endpoint)', tag: 'webhooks', auth: 'write', params: s.idParams,
    responses: { 202: { description: 'The ping delivery, queued', body: s.webhookDeliveryDetailResource }, ...problems(401, 403, 404, 429, 503) },
  },
  listEndpointDeliveries: {
    id: 'listEndpointDeliveries', method: 'get', path: '/v1/webhook-endpoints/{id}/deliveries', summary: "An endpoint's deliveries, newest first, with their last attempt", tag: 'webhooks', auth: 'read', params: s.idParams,
    query: s.endpointDeliveryListQuery,
    responses: { 200: { description: 'A page of deliveries', body: s.pageOf(s.webhookDeliveryResource) }, ...problems(400, 401, 403, 404, 429) },
  },
  getWebhookDelivery: {
    id: 'getWebhookDelivery', method: 'get', path: '/v1/webhook-deliveries/{id}', summary: 'One delivery: its event, attempts and last answer', tag: 'webhooks', auth: 'read', params: s.idParams,
    responses: { 200: { description: 'The delivery', body: s.webhookDeliveryDetailResource }, ...problems(401, 403, 404, 429) },
  },
  replayWebhookDelivery: {
    id: 'replayWebhookDelivery', method: 'post', path: '/v1/webhook-deliveries/{id}/replay', summary: 'Send a delivery again now (same event id; even after success)', tag: 'webhooks', auth: 'write', params: s.idParams,
    responses: { 202: { description: 'The delivery, queued', body: s.webhookDeliveryDetailResource }, ...problems(401, 403, 404, 429, 503) },
  },
  getWebhookSecret: {
    id: 'getWebhookSecret', method: 'get', path: '/v1/webhook-secret', summary: "The secret signing deliveries to a batch's own webhook_url", tag: 'webhooks', auth: 'admin',
    responses: { 200: { description: 'The secret', body: s.webhookSecretResource }, ...problems(401, 403, 429) },
  },
} satisfies Record<string, Operation>;

export type OperationId = keyof typeof operations;

/** `/v1/garments/{id}` → `/v1/garments/:id`; a `{key}` file path takes the rest of the URL. */
export function expressPath(op: Operation): string {
  return op.path.replace('{key}', '*key').replace(/\{(\w+)\}/g, ':$1');
}
