// Webhooks: what the API, the workers and the OpenAPI document use.
export { newWebhookSecret } from '../db/repos/webhooks.js';
export { signPayload, signature, verifyWebhook, WebhookVerificationError, type SignedHeaders, type VerifyInput } from './signing.js';
export {
  EVENT_TYPES,
  WEBHOOK_API_VERSION,
  WEBHOOK_EVENT_TYPES,
  batchCompletedEvent,
  eventId,
  garmentEvent,
  modelEvent,
  parseWebhookEvent,
  pingEvent,
  renderFailedEvent,
  renderSucceededEvent,
  webhookEventsOpenApi,
  type UrlSigner,
  type WebhookEvent,
  type WebhookEventType,
} from './events.js';
export { checkWebhookUrlSyntax, resolveWebhookTarget, UnsafeWebhookUrlError, blockedRange } from './safety.js';
export { attemptDelivery, type AttemptResult } from './deliver.js';
export { DEFAULT_RETRY_POLICY, nextRetry, type RetryPolicy } from './policy.js';
export {
  emitEvent,
  processDelivery,
  pruneAttemptLog,
  replayDelivery,
  requeueOverdue,
  sendPing,
  tenantBatchSecret,
  type DeliveryQueue,
  type WebhookDeps,
  type WebhookSettings,
} from './dispatcher.js';
