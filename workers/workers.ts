// Worker process with every worker role (prepare, render, webhook) and no API: the unit `docker compose up --scale worker=N` adds.
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { recordBackend, serveWorkerMetrics } from '../src/api/metrics.js';
import { runWorkerProcess } from '../src/queue/runtime.js';
import { WORKER_ROLES } from '../src/queue/workers.js';

const cfg = loadConfig();
const log = createLogger(cfg.LOG_LEVEL).child({ role: 'workers' });
try {
  await runWorkerProcess(WORKER_ROLES, cfg, log);
  recordBackend(cfg);
  // /healthz for the container health check and /metrics for Prometheus; the process exits on SIGTERM after its jobs end.
  if (cfg.METRICS_PORT > 0) {
    const m = await serveWorkerMetrics(cfg, log);
    log.info({ url: m.url, metrics: cfg.METRICS_ENABLED }, 'health and metrics server listening');
  }
} catch (err) {
  log.fatal({ err }, (err as Error).message);
  process.exit(1);
}
