// Runs the API over HTTP: listen, and shut down gracefully (stop accepting, end streams, then close the dependencies).
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { loadConfig } from '../config.js';
import { createRepos, databaseOptionsFrom, openDatabase } from '../db/index.js';
import { createLogger } from '../logger.js';
import { createRedis } from '../queue/connection.js';
import { createJobProducer } from '../queue/producer.js';
import { createBlobStore } from '../storage/index.js';
import { closeApp, createApp, type ApiDeps } from './app.js';

export interface RunningApi {
  server: Server;
  /** http://host:port the server listens on. */
  url: string;
  /** Stops accepting, lets requests in flight finish (streams are ended after `graceMs`), releases the app. Does not close deps. */
  close(graceMs?: number): Promise<void>;
}

export async function listenApi(deps: ApiDeps, port = deps.cfg.PORT, host = deps.cfg.HOST): Promise<RunningApi> {
  const app = createApp(deps);
  const server = app.listen(port, host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  // Long uploads on slow links, but no idle sockets forever.
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 65_000;
  const addr = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  let closing: Promise<void> | null = null;
  return {
    server,
    url: `http://${shownHost}:${addr.port}`,
    close(graceMs = 5000) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Server-Sent Events streams never end on their own: give requests a moment, then cut what is left.
        const timer = setTimeout(() => server.closeAllConnections(), graceMs);
        await closed;
        clearTimeout(timer);
        await closeApp(app);
      })();
      return closing;
    },
  };
}

/** The API as its own process (scale-out: needs a real Postgres via DATABASE_URL unless it is the only process). */
export async function main(): Promise<void> {
  const cfg = loadConfig();
  const log = createLogger(cfg.LOG_LEVEL);
  const db = await openDatabase(databaseOptionsFrom(cfg));
  const redis = createRedis(cfg.REDIS_URL, 'producer');
  const jobs = createJobProducer(cfg, log, { connection: redis });
  const api = await listenApi({ cfg, log, repos: createRepos(db.db), store: createBlobStore(cfg), jobs, redis });
  log.info({ url: api.url, database: db.kind }, 'API listening');
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down the API');
    await api.close();
    await jobs.close();
    redis.disconnect();
    await db.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((err: unknown) => {
    process.stderr.write(`tryon api: ${(err as Error).stack ?? err}\n`);
    process.exit(1);
  });
}
