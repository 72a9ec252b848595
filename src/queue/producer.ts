// The JobProducer the API calls: prepare jobs, batch flows (parent + one render child per model), re-renders, cancels, webhook deliveries.
import { FlowProducer, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import { createRedis, settleConnect, type QueueSettings } from './connection.js';
import { batchJob, prepareGarmentJob, prepareModelJob, QUEUES, renderJob, type BatchJob, type JobProducer, type RenderJob } from './contract.js';
import { createEventPublisher } from './events.js';
import { deliveryQueue } from './processors/webhook.js';
import {
  BATCH_OPTIONS,
  BATCH_RENDER_PRIORITY,
  PREPARE_OPTIONS,
  RENDER_OPTIONS,
  RERENDER_PRIORITY,
  batchJobId,
  prepareGarmentJobId,
  prepareModelJobId,
  renderJobId,
} from './job-options.js';

/** Redis is down: nothing was queued; the API answers 503 and the caller may retry. */
export class QueueUnavailableError extends Error {
  override readonly name = 'QueueUnavailableError';
}

export interface ProducerOptions {
  /** An existing producer-role connection (enableOfflineQueue: false); default: a new one from REDIS_URL. */
  connection?: Redis;
}

/**
 * Uses one fail-fast connection: while Redis is down every call rejects at once (the API answers 503)
 * and works again when Redis is back.
 */
export function createJobProducer(cfg: QueueSettings, log: Logger, options: ProducerOptions = {}): JobProducer {
  const connection = options.connection ?? createRedis(cfg.REDIS_URL, 'producer');
  const owned = !options.connection;
  const prefix = cfg.QUEUE_PREFIX;
  // One warning per outage, not one per reconnect attempt and queue.
  let down = false;
  const onError = (err: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: err.message }, 'Redis unreachable: queueing work fails at once until it is back');
  };
  connection.on('ready', () => {
    if (down) log.info('Redis reachable again');
    down = false;
  });
  const queue = (name: string) => {
    const q = new Queue(name, { connection, prefix });
    q.on('error', onError);
    return q;
  };
  const prepareGarment = queue(QUEUES.prepareGarment);
  const prepareModel = queue(QUEUES.prepareModel);
  const render = queue(QUEUES.render);
  const webhook = queue(QUEUES.webhook);
  const deliveries = deliveryQueue(webhook);
  const flow = new FlowProducer({ connection, prefix });
  flow.on('error', onError);
  // BullMQ waits for a connection that is not ready yet; the API must not: answer at once (503) instead.
  // A process's very first call may come while the connection is still being made: allow it a moment.
  let everReady = connection.status === 'ready';
  connection.once('ready', () => (everReady = true));
  const ready = async () => {
    if (connection.status === 'ready') return;
    if (!everReady) {
      await settleConnect(connection);
      // Read again after the wait (TypeScript narrowed it before the await).
      if ((connection.status as string) === 'ready') return;
    }
    throw new QueueUnavailableError(`Redis is not reachable (connection ${connection.status})`);
  };
  const events = createEventPublisher(connection, prefix, log);

  const queued = (tenantId: string, renders: RenderJob[]) =>
    Promise.all(renders.map((r) => events.batch(tenantId, { type: 'queued', batch_id: r.batch_id, render_id: r.render_id })));

  return {
    async prepareGarment(job) {
      await ready();
      const data = prepareGarmentJob.parse(job);
      await prepareGarment.add('prepare-garment', data, { ...PREPARE_OPTIONS, jobId: prepareGarmentJobId(data.garment_id) });
    },

    async prepareModel(job) {
      await ready();
      const data = prepareModelJob.parse(job);
      await prepareModel.add('prepare-model', data, { ...PREPARE_OPTIONS, jobId: prepareModelJobId(data.model_id) });
    },

    async startBatch(batch: BatchJob, renders: RenderJob[]) {
      await ready();
      const parent = batchJob.parse(batch);
      const children = renders.map((r) => renderJob.parse(r));
      // The parent runs when every child has ended: a failed render is ignored (not fatal to the
      // batch), a removed (canceled) one drops out of its dependencies.
      await flow.add({
        name: 'batch',
        queueName: QUEUES.batch,
        data: parent,
        opts: { ...BATCH_OPTIONS, jobId: batchJobId(parent.batch_id) },
        children: children.map((r) => ({
          name: 'render',
          queueName: QUEUES.render,
          data: r,
          opts: {
            ...RENDER_OPTIONS,
            jobId: renderJobId(r),
            priority: BATCH_RENDER_PRIORITY,
            failParentOnFailure: false,
            ignoreDependencyOnFailure: true,
          },
        })),
      });
      await queued(parent.tenant_id, children);
    },

    async rerender(job) {
      await ready();
      const data = renderJob.parse(job);
      // The API publishes this render's `queued` event itself (it also resets the record).
      await render.add('render', data, { ...RENDER_OPTIONS, jobId: renderJobId(data), priority: RERENDER_PRIORITY });
    },

    async cancelRender(tenantId, renderId, version = 1) {
      await ready();
      // Without a version, the batch's own job (version 1) is the one that can still be waiting.
      const job = await render.getJob(renderJobId({ render_id: renderId, version }));
      if (!job || job.data?.tenant_id !== tenantId) return;
      const state = await job.getState();
      if (state === 'active' || state === 'completed' || state === 'failed') return;
      try {
        await job.remove();
      } catch (err) {
        // Picked up meanwhile (locked): the worker sees the canceled record at its next stage.
        log.debug({ err, render: renderId }, 'render job not removed');
      }
    },

    async enqueueWebhookDelivery(tenantId, deliveryId, delayMs) {
      await ready();
      await deliveries.enqueueDelivery(tenantId, deliveryId, delayMs);
    },

    async ping() {
      try {
        // A process's first request may come while the connection is still being made (see ready()).
        await ready();
        return (await connection.ping()) === 'PONG';
      } catch {
        return false;
      }
    },

    async close() {
      await Promise.allSettled([prepareGarment.close(), prepareModel.close(), render.close(), webhook.close(), flow.close()]);
      if (owned) connection.disconnect();
    },
  };
}
