// The one typed configuration of every process, read from the environment once and passed down.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

const DEFAULT_NETWORKS_DIR = fileURLToPath(new URL('../models', import.meta.url));

const bool = z
  .union([z.boolean(), z.string()])
  .transform((v) => (typeof v === 'boolean' ? v : ['1', 'true', 'yes', 'on'].includes(v.toLowerCase())));

// An empty variable (`FOO=`) means unset, as it does for a shell user.
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const configSchema = z.object({
  /** pino log level; logs are JSON lines on stderr. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** tfjs backend: auto = tfjs-node when installed, else wasm. */
  TFJS_BACKEND: z.enum(['auto', 'node', 'wasm', 'cpu']).default('auto'),
  /** Threads the wasm backend may use (0 = the library's default). */
  TFJS_WASM_THREADS: z.coerce.number().int().min(0).max(64).default(0),
  /** onnxruntime execution providers, in order of preference: "cpu" or "cuda,cpu". */
  ONNX_EXECUTION_PROVIDERS: z
    .string()
    .default('cpu')
    .transform((s) => s.split(',').map((p) => p.trim()).filter(Boolean))
    .pipe(z.array(z.enum(['cpu', 'cuda'])).min(1)),
  /** Folder holding the network manifest (networks.json). */
  NETWORKS_DIR: z.string().default(DEFAULT_NETWORKS_DIR),
  /** Verify each network file's sha256 when it is first loaded. */
  NETWORKS_VERIFY: bool.default(true),
  /** Long edge, in pixels, that uploads are scaled down to before analysis. */
  WORKING_MAX_EDGE: z.coerce.number().int().min(256).max(8192).default(2048),
  /** Uploads with more pixels than this are refused before decoding (decompression bombs). */
  MAX_INPUT_PIXELS: z.coerce.number().int().min(1).default(50_000_000),
  /** Smallest accepted short edge of an upload, in pixels. */
  MIN_INPUT_EDGE: z.coerce.number().int().min(1).default(64),
  /** postgres://… for a real Postgres; unset = embedded PGlite in DATA_DIR (all-in-one only). */
  DATABASE_URL: optionalString.pipe(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
  /** Folder for local state: PGlite's data and, with STORAGE=fs, the blobs. */
  DATA_DIR: z.string().min(1).default('.data'),
  /** Where uploads and results are stored: the local filesystem or an S3-compatible bucket. */
  STORAGE: z.enum(['fs', 's3']).default('fs'),
  /** Most the STORAGE=fs blob folder may hold, in MB (0 = no limit): a write that would pass it is refused whole (uploads answer 507) and nothing is half-written. */
  STORAGE_QUOTA_MB: z.coerce.number().int().min(0).default(0),
  /** S3-compatible endpoint (MinIO, R2…); unset = AWS S3. */
  S3_ENDPOINT: optionalString.pipe(z.url().optional()),
  /** Bucket for STORAGE=s3 (required then). */
  S3_BUCKET: optionalString,
  /** Region of the bucket. */
  S3_REGION: z.string().min(1).default('us-east-1'),
  /** Access key; unset = the AWS SDK's default credential chain. */
  S3_ACCESS_KEY_ID: optionalString,
  /** Secret of the access key. */
  S3_SECRET_ACCESS_KEY: optionalString,
  /** Path-style URLs (http://host/bucket/key), which most S3-compatible servers need. */
  S3_FORCE_PATH_STYLE: bool.default(false),
  /** Port the HTTP API listens on. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Address the API listens on. */
  HOST: z.string().min(1).default('0.0.0.0'),
  /** Serve Prometheus metrics: GET /metrics on the API (no auth: keep the port private, or turn this off), and on METRICS_PORT in worker processes. */
  METRICS_ENABLED: bool.default(true),
  /** Port of a worker process's own /metrics and /healthz server (`npm run worker`; 0 = none). */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Base URL clients reach the API at, used in Location headers and file URLs; unset = http://localhost:PORT. */
  PUBLIC_URL: optionalString.pipe(z.url().optional()),
  /** HMAC secret of signed file URLs (≥ 32 characters); unset = a random one per process (signed URLs die on restart). */
  URL_SIGNING_SECRET: optionalString.pipe(z.string().min(32, 'use at least 32 characters').optional()),
  /** Lifetime of the signed file URLs the API puts in resources, in seconds. */
  SIGNED_URL_TTL_SECONDS: z.coerce.number().int().min(10).max(7 * 24 * 3600).default(3600),
  /** Requests one API key may make per rate-limit window (0 = no limit). */
  RATE_LIMIT_MAX: z.coerce.number().int().min(0).default(600),
  /** Length of the rate-limit window, in milliseconds. */
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).default(60_000),
  /** Largest accepted upload, in bytes (larger: 413). */
  UPLOAD_MAX_BYTES: z.coerce.number().int().min(1024).default(25 * 1024 * 1024),
  /** Redis for queues, live events and rate limits (`npm start` falls back to a local or spawned redis-server when unset). */
  REDIS_URL: z.string().min(1).default('redis://127.0.0.1:6379'),
  /** Prefix of every queue key; braces make it a Redis Cluster hash tag so a flow's keys share one slot. */
  QUEUE_PREFIX: z.string().regex(/^[^:\s]+$/, 'no ":" or spaces').default('{tryon}'),
  /** Compute threads per worker process (0 = one per CPU core). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(0).max(64).default(0),
  /** How long a job's lock lasts before it is renewed (ms); a dead worker's job is retried after about this long. */
  JOB_LOCK_MS: z.coerce.number().int().min(1000).default(30_000),
  /** How often workers look for stalled jobs (ms); 0 = half of JOB_LOCK_MS. */
  JOB_STALLED_INTERVAL_MS: z.coerce.number().int().min(0).default(0),
  /** Prepared models and garments each compute thread keeps decoded in memory (re-renders skip loading). */
  PREPARED_CACHE_SIZE: z.coerce.number().int().min(1).max(1000).default(8),
  /** Longest one render may run on a compute thread (ms); past it the thread is stopped and replaced and the render fails with reason `timeout` (not retried). */
  RENDER_TIMEOUT_MS: z.coerce.number().int().min(1000).default(120_000),
  /** Test-only fault injection: each render's compute thread blocks this long (ms) before rendering, a hang past RENDER_TIMEOUT_MS; 0 = off, keep 0 in production. */
  FAULT_INJECT_RENDER_HANG_MS: z.coerce.number().int().min(0).default(0),
  /** Test-only: with FAULT_INJECT_RENDER_HANG_MS, block only renders whose prepared model or garment key contains this text; unset = every render. */
  FAULT_INJECT_RENDER_HANG_KEY: optionalString,
  /** Let webhook endpoints resolve to loopback, private, link-local or CGNAT addresses (tests, closed networks); off = SSRF-safe. */
  WEBHOOK_ALLOW_PRIVATE: bool.default(false),
  /** Let webhook endpoints use plain http:// (https only when off). */
  WEBHOOK_ALLOW_HTTP: bool.default(false),
  /** Longest time a webhook receiver may take to accept the connection, in milliseconds. */
  WEBHOOK_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5_000),
  /** Longest time one webhook delivery attempt may take in total (connect, send, answer), in milliseconds. */
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** An endpoint is disabled after this many deliveries in a row failed for good (each after ≥ 24 h of retries). */
  WEBHOOK_DISABLE_AFTER: z.coerce.number().int().min(1).max(1000).default(5),
  /** How long an endpoint's previous secret keeps signing after a rotation, in seconds. */
  WEBHOOK_SECRET_OVERLAP_SECONDS: z.coerce.number().int().min(0).max(30 * 24 * 3600).default(24 * 3600),
  /** Key (≥ 32 characters) the per-tenant secret of per-batch webhook_url deliveries is derived from; unset = URL_SIGNING_SECRET. */
  WEBHOOK_SIGNING_KEY: optionalString.pipe(z.string().min(32, 'use at least 32 characters').optional()),
  /** Image widths (pixels) render.succeeded carries signed URLs for, besides the full-size image. */
  WEBHOOK_IMAGE_WIDTHS: z
    .string()
    .default('512,1024')
    .transform((s) => s.split(',').map((w) => w.trim()).filter(Boolean).map(Number))
    .pipe(z.array(z.number().int().min(1).max(4096))),
  /** Lifetime of the signed image URLs in webhook payloads, in seconds (covers the retry window). */
  WEBHOOK_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(7 * 24 * 3600),
  /** Days each webhook delivery attempt stays in the attempt log; older attempts are deleted hourly by the webhook worker (0 = keep them all). */
  WEBHOOK_ATTEMPT_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  /** Test-only: multiplies every webhook retry delay and the retry window (0.01 = 5 s becomes 50 ms); keep 1 in production. */
  WEBHOOK_RETRY_SCALE: z.coerce.number().positive().max(1).default(1),
});

export type Config = z.infer<typeof configSchema>;

/** Parses the environment; throws one readable error listing every bad setting. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
