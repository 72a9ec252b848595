// webhook: the queue and its processor exist so the wiring does; delivery (signing, retries, logs) comes with the webhooks issue.
import type { Job } from 'bullmq';
import { webhookJob } from '../contract.js';
import type { ProcessorDeps } from './deps.js';

export function webhookProcessor(deps: Pick<ProcessorDeps, 'log'>) {
  return async (job: Job): Promise<{ status: 'skipped'; reason: string }> => {
    const data = webhookJob.parse(job.data);
    deps.log.info({ tenant: data.tenant_id, delivery: data.delivery_id, job: job.id }, 'webhook job received; delivery is not implemented yet');
    return { status: 'skipped', reason: 'webhook delivery is not implemented yet' };
  };
}
