// All-in-one process (`npm start`): the API on http://localhost:3000 and every worker role, PGlite and local files by default.
import { createLogger } from '../src/logger.js';
import { startAllInOne } from '../src/queue/all-in-one.js';
import { NoRedisError } from '../src/queue/local-redis.js';
import { closeOnSignals } from '../src/queue/runtime.js';

const log = createLogger(process.env.LOG_LEVEL ?? 'info').child({ role: 'all-in-one' });
try {
  const app = await startAllInOne(process.env, log);
  closeOnSignals(log, app.close);
  process.stderr.write(`\ntryon is running at ${app.url}  (dashboard: ${app.url}/, API reference: ${app.url}/v1/docs; Ctrl-C stops it)\n\n`);
  if (app.firstKey) {
    process.stderr.write(
      `First start: made tenant ${app.firstKey.tenant} ("default") with an admin API key, shown this once:\n\n    ${app.firstKey.key}\n\n` +
        'Sign in to the dashboard with it, or send it as "Authorization: Bearer <key>". More tenants and keys: POST /v1/keys,\n' +
        'or `npm run tryon -- tenants create <name>` while the server is stopped (the embedded database serves one process).\n\n',
    );
  }
} catch (err) {
  if (err instanceof NoRedisError) process.stderr.write(`\n${err.message}\n\n`);
  else log.fatal({ err }, (err as Error).message);
  process.exit(1);
}
