// Every repository over one Kysely instance, built once per process.
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';
import { BatchesRepo } from './batches.js';
import { GarmentsRepo } from './garments.js';
import { IdempotencyRepo } from './idempotency.js';
import { ModelsRepo } from './models.js';
import { RendersRepo } from './renders.js';
import { TenantsRepo } from './tenants.js';
import { WebhooksRepo } from './webhooks.js';

export interface Repos {
  tenants: TenantsRepo;
  garments: GarmentsRepo;
  models: ModelsRepo;
  batches: BatchesRepo;
  renders: RendersRepo;
  webhooks: WebhooksRepo;
  idempotency: IdempotencyRepo;
}

export function createRepos(db: Kysely<Database>): Repos {
  return {
    tenants: new TenantsRepo(db),
    garments: new GarmentsRepo(db),
    models: new ModelsRepo(db),
    batches: new BatchesRepo(db),
    renders: new RendersRepo(db),
    webhooks: new WebhooksRepo(db),
    idempotency: new IdempotencyRepo(db),
  };
}

export { BatchesRepo, GarmentsRepo, IdempotencyRepo, ModelsRepo, RendersRepo, TenantsRepo, WebhooksRepo };
