// prepare-garment and prepare-model: load the record and photo, run preparation on the pool, store the prepared blob, mark ready or failed, announce it.
import type { Job } from 'bullmq';
import { isDatabaseUnavailable } from '../../db/index.js';
import type { JsonObject } from '../../db/schema.js';
import type { GarmentCategory } from '../../pipeline/types.js';
import { prepareGarmentJob, prepareModelJob } from '../contract.js';
import { preparedGarmentKey, preparedModelKey } from '../prepared-keys.js';
import { BadInputError, isPermanent, problem, problemOf } from '../problems.js';
import { announceAsset } from './announce.js';
import { isLastAttempt, waitForDatabase, type ProcessorDeps } from './deps.js';

interface Asset {
  status: 'queued' | 'processing' | 'ready' | 'failed';
  source_key: string;
  sha256: string;
  analysis_key: string | null;
}

interface Prepared {
  blob: Uint8Array;
  summary: JsonObject;
  width: number;
  height: number;
  category?: GarmentCategory;
}

interface AssetOps<A extends Asset> {
  kind: 'garment' | 'model';
  get(tenantId: string, id: string): Promise<A | null>;
  key(tenantId: string, asset: A): string;
  compute(bytes: Uint8Array, asset: A, cacheKey: string): Promise<Prepared>;
  setStatus(tenantId: string, id: string, status: 'processing' | 'failed', error?: JsonObject): Promise<unknown>;
  setAnalysis(tenantId: string, id: string, key: string, p: Prepared): Promise<unknown>;
  /** Emits the webhook event of the record as it stands (garment.ready, model.failed…). */
  announce(tenantId: string, asset: A): Promise<void>;
}

export type PrepareResult = { status: 'ready'; key: string; ms: number } | { status: 'skipped'; reason: string };

async function prepareAsset<A extends Asset>(deps: ProcessorDeps, ops: AssetOps<A>, job: Job, tenantId: string, id: string): Promise<PrepareResult> {
  const log = deps.log.child({ tenant: tenantId, [ops.kind]: id, job: job.id });
  const asset = await ops.get(tenantId, id);
  // Deleted or never existed: nothing to prepare, and nothing to retry.
  if (!asset) return { status: 'skipped', reason: 'not found' };
  const key = ops.key(tenantId, asset);
  if (asset.status === 'ready' && asset.analysis_key === key) {
    // An earlier attempt may have crashed between marking it ready and storing the webhook event.
    await ops.announce(tenantId, asset);
    return { status: 'skipped', reason: 'already ready' };
  }
  await ops.setStatus(tenantId, id, 'processing');
  await deps.events.asset(tenantId, { type: 'processing', kind: ops.kind, id });
  const t0 = performance.now();
  try {
    const bytes = await deps.store.get(asset.source_key);
    if (!bytes) throw new BadInputError(problem('source-missing', `The uploaded photo (${asset.source_key}) is not in storage any more; upload it again.`));
    const prepared = await ops.compute(bytes, asset, key);
    await deps.store.put(key, prepared.blob, { contentType: 'application/octet-stream' });
    await ops.setAnalysis(tenantId, id, key, prepared);
    const ms = Math.round(performance.now() - t0);
    await deps.events.asset(tenantId, { type: 'ready', kind: ops.kind, id });
    await announce(ops, tenantId, id);
    log.info({ ms, bytes: prepared.blob.byteLength }, `${ops.kind} prepared`);
    return { status: 'ready', key, ms };
  } catch (err) {
    // The outage ends the attempt without spending it: handled by the caller (no 'failed' record can be written anyway).
    if (isDatabaseUnavailable(err)) throw err;
    const permanent = isPermanent(err);
    if (permanent || isLastAttempt(job)) {
      const error = problemOf(err);
      await ops.setStatus(tenantId, id, 'failed', error);
      await deps.events.asset(tenantId, { type: 'failed', kind: ops.kind, id, error });
      log.warn({ err, permanent }, `${ops.kind} preparation failed`);
      await announce(ops, tenantId, id);
    }
    // Bad input is not retried: BullMQ fails an UnrecoverableError at once.
    if (permanent && !(err instanceof BadInputError)) throw new BadInputError(problemOf(err));
    throw err;
  }
}

/** The webhook event of the record as it now stands (ready or failed). */
async function announce<A extends Asset>(ops: AssetOps<A>, tenantId: string, id: string): Promise<void> {
  const current = await ops.get(tenantId, id);
  if (current) await ops.announce(tenantId, current);
}

export function prepareGarmentProcessor(deps: ProcessorDeps) {
  const repo = deps.repos.garments;
  const ops: AssetOps<NonNullable<Awaited<ReturnType<typeof repo.get>>>> = {
    kind: 'garment',
    get: (t, id) => repo.get(t, id),
    key: (t, g) => preparedGarmentKey(t, g.sha256, g.category),
    compute: (bytes, g, cacheKey) => deps.pool.prepareGarment(bytes, g.category ?? undefined, { cacheKey }),
    setStatus: (t, id, s, e) => repo.setStatus(t, id, s, e),
    setAnalysis: (t, id, key, p) =>
      repo.setAnalysis(t, id, { analysisKey: key, analysis: p.summary, category: p.category }),
    announce: (t, g) => announceAsset(deps, t, 'garment', g),
  };
  return async (job: Job, token?: string): Promise<PrepareResult> => {
    const data = prepareGarmentJob.safeParse(job.data);
    if (!data.success) throw new BadInputError(problem('internal', `bad prepare-garment payload: ${data.error.message}`, 500));
    return prepareAsset(deps, ops, job, data.data.tenant_id, data.data.garment_id).catch((err: unknown) =>
      isDatabaseUnavailable(err) ? waitForDatabase(job, token, deps.log.child({ garment: data.data.garment_id, job: job.id }), err) : Promise.reject(err),
    );
  };
}

export function prepareModelProcessor(deps: ProcessorDeps) {
  const repo = deps.repos.models;
  const ops: AssetOps<NonNullable<Awaited<ReturnType<typeof repo.get>>>> = {
    kind: 'model',
    get: (t, id) => repo.get(t, id),
    key: (t, m) => preparedModelKey(t, m.sha256),
    compute: (bytes, _m, cacheKey) => deps.pool.prepareModel(bytes, { cacheKey }),
    setStatus: (t, id, s, e) => repo.setStatus(t, id, s, e),
    // The record keeps the upload's own size; the summary carries the working size.
    setAnalysis: (t, id, key, p) => repo.setAnalysis(t, id, { analysisKey: key, analysis: p.summary }),
    announce: (t, m) => announceAsset(deps, t, 'model', m),
  };
  return async (job: Job, token?: string): Promise<PrepareResult> => {
    const data = prepareModelJob.safeParse(job.data);
    if (!data.success) throw new BadInputError(problem('internal', `bad prepare-model payload: ${data.error.message}`, 500));
    return prepareAsset(deps, ops, job, data.data.tenant_id, data.data.model_id).catch((err: unknown) =>
      isDatabaseUnavailable(err) ? waitForDatabase(job, token, deps.log.child({ model: data.data.model_id, job: job.id }), err) : Promise.reject(err),
    );
  };
}
