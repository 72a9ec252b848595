// Live events on Redis pub/sub: what workers (and the producer) tell API listeners about batches and assets.
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { assetChannel, batchChannel, type AssetEvent, type BatchEvent } from './contract.js';

export interface EventPublisher {
  batch(tenantId: string, event: BatchEvent): Promise<void>;
  asset(tenantId: string, event: AssetEvent): Promise<void>;
}

/**
 * Events are transient hints (the records are the truth), so a publish that fails is logged and
 * dropped rather than failing the job that did the work.
 */
export function createEventPublisher(redis: Redis, prefix: string, log: Logger): EventPublisher {
  const publish = async (channel: string, event: object) => {
    try {
      await redis.publish(channel, JSON.stringify(event));
    } catch (err) {
      log.warn({ err, channel }, 'event not published');
    }
  };
  return {
    batch: (tenantId, event) => publish(batchChannel(prefix, tenantId, event.batch_id), event),
    asset: (tenantId, event) => publish(assetChannel(prefix, tenantId, event.id), event),
  };
}
