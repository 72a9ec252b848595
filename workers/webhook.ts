// Worker process for the webhook role (scale out by running more of these, on any machine, against one Redis and Postgres).
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { runWorkerProcess } from '../src/queue/runtime.js';

const cfg = loadConfig();
const log = createLogger(cfg.LOG_LEVEL).child({ role: 'webhook' });
try {
  await runWorkerProcess(['webhook'], cfg, log);
} catch (err) {
  log.fatal({ err }, (err as Error).message);
  process.exit(1);
}
