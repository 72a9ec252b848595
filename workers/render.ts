// Worker process for the render role (scale out by running more of these, on any machine, against one Redis and Postgres).
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { runWorkerProcess } from '../src/queue/runtime.js';

const cfg = loadConfig();
const log = createLogger(cfg.LOG_LEVEL).child({ role: 'render' });
try {
  await runWorkerProcess(['render'], cfg, log);
} catch (err) {
  log.fatal({ err }, (err as Error).message);
  process.exit(1);
}
