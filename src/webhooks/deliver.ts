// One webhook delivery attempt: a signed JSON POST to a checked, pinned address; no redirects; capped response.
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { LookupAddress } from 'node:dns';
import { pinnedLookup, resolveWebhookTarget, UnsafeWebhookUrlError } from './safety.js';

export type AttemptOutcome = 'succeeded' | 'retry' | 'gone' | 'failed';

export interface AttemptResult {
  /** HTTP status, or null when no answer came (timeout, network, refused URL). */
  status: number | null;
  latency_ms: number;
  /** The start of the response body (or the error), for the delivery log. */
  excerpt: string;
  /** What the receiver's Retry-After asked for, in seconds. */
  retry_after_s?: number;
  /**
   * succeeded: 2xx. gone: 410 (disable the endpoint). retry: 408, 429, 5xx, timeout, network error.
   * failed: an answer that is wrong rather than busy (3xx, other 4xx) or a refused URL; the
   * retry policy still retries it (receivers fix bugs), but it is logged as the receiver's fault.
   */
  outcome: AttemptOutcome;
  /** Why it did not succeed, in words. */
  error?: string;
  /** Set when no HTTP answer came (status null): what kind of failure it was. */
  error_kind?: 'timeout' | 'connect_timeout' | 'network' | 'refused';
}

export interface AttemptRequest {
  url: string;
  body: string;
  /** The signed headers (webhook-id, webhook-timestamp, webhook-signature). */
  headers: Record<string, string>;
  connectTimeoutMs: number;
  timeoutMs: number;
  allowHttp: boolean;
  allowPrivate: boolean;
  /** DNS resolver override (tests). */
  resolve?: (hostname: string) => Promise<LookupAddress[]>;
  /** Current time, for Retry-After dates. */
  now?: () => Date;
}

/** Stop reading a response after this many bytes. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** Keep this much of it for the log. */
export const EXCERPT_BYTES = 4 * 1024;

// Keep-alive: the agents pool connections per origin (scheme, host, port), so an endpoint receiving
// many events reuses its connections. Every pooled socket was opened to an address checked when it
// was opened. Up to 64 per origin, busy or idle: at least the webhook worker's 48 concurrent jobs, so
// a burst to one endpoint neither waits for a socket nor closes and reopens them (8 idle ones, the
// old cap, made every burst reconnect).
const POOL = { keepAlive: true, maxSockets: 64, maxFreeSockets: 64 };
const agents = {
  'http:': new http.Agent(POOL),
  'https:': new https.Agent(POOL),
};

export async function attemptDelivery(req: AttemptRequest): Promise<AttemptResult> {
  const t0 = performance.now();
  const elapsed = () => Math.round(performance.now() - t0);
  let target;
  try {
    target = await resolveWebhookTarget(req.url, { allowHttp: req.allowHttp, allowPrivate: req.allowPrivate, resolve: req.resolve });
  } catch (err) {
    const msg = err instanceof UnsafeWebhookUrlError ? `refused: ${err.message}` : `refused: ${(err as Error).message}`;
    return { status: null, latency_ms: elapsed(), excerpt: '', outcome: 'failed', error: msg, error_kind: 'refused' };
  }
  const body = Buffer.from(req.body, 'utf8');
  const client = target.url.protocol === 'https:' ? https : http;
  return new Promise<AttemptResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<AttemptResult, 'latency_ms'> & { latency_ms?: number }) => {
      if (settled) return;
      settled = true;
      clearTimeout(total);
      clearTimeout(connect);
      resolve({ ...r, latency_ms: r.latency_ms ?? elapsed() });
    };
    const request = client.request(target.url, {
      method: 'POST',
      agent: agents[target.url.protocol as 'http:' | 'https:'],
      lookup: pinnedLookup(target.address, target.family) as never,
      headers: {
        ...req.headers,
        'content-type': 'application/json',
        'content-length': String(body.length),
        'user-agent': 'tryon-webhooks/1',
      },
    });
    const fail = (error: string, kind: NonNullable<AttemptResult['error_kind']>) => {
      finish({ status: null, excerpt: '', outcome: 'retry', error, error_kind: kind });
      request.destroy();
    };
    // A slow body after the status line still counts the status: the receiver did answer.
    let answered: ((note: string) => void) | undefined;
    const total = setTimeout(() => {
      const note = `timed out after ${req.timeoutMs} ms`;
      if (answered) answered(note);
      else fail(note, 'timeout');
    }, req.timeoutMs);
    let connect: NodeJS.Timeout | undefined;
    request.on('socket', (socket) => {
      // A reused keep-alive socket is already connected.
      if (!socket.connecting) return;
      connect = setTimeout(() => fail(`could not connect within ${req.connectTimeoutMs} ms`, 'connect_timeout'), req.connectTimeoutMs);
      socket.once('connect', () => clearTimeout(connect));
    });
    request.on('error', (err: NodeJS.ErrnoException) => fail(`network: ${err.code ?? err.message}`, 'network'));
    request.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const latency = elapsed();
      const retryAfter = parseRetryAfter(res.headers['retry-after'], (req.now ?? (() => new Date()))());
      const chunks: Buffer[] = [];
      let size = 0;
      let kept = 0;
      let cut = false;
      const done = (late?: unknown) => {
        const excerpt = Buffer.concat(chunks).subarray(0, EXCERPT_BYTES).toString('utf8');
        const verdict = classify(status, res.headers.location);
        const notes = [verdict.error, cut ? `response cut at ${MAX_RESPONSE_BYTES} bytes` : undefined, typeof late === 'string' ? late : undefined];
        const error = notes.filter(Boolean).join('; ');
        finish({
          status,
          latency_ms: latency,
          excerpt,
          outcome: verdict.outcome,
          ...(retryAfter !== undefined ? { retry_after_s: retryAfter } : {}),
          ...(error ? { error } : {}),
        });
      };
      res.on('data', (chunk: Buffer) => {
        if (cut) return;
        size += chunk.length;
        if (kept < EXCERPT_BYTES) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        if (size > MAX_RESPONSE_BYTES) {
          // Stop reading: a receiver cannot make us download an unbounded answer.
          cut = true;
          done();
          res.destroy();
          request.destroy();
        }
      });
      answered = (note) => {
        done(`body ${note}`);
        res.destroy();
        request.destroy();
      };
      res.on('end', () => done());
      res.on('error', () => done());
      res.on('close', () => done());
    });
    request.end(body);
  });
}

function classify(status: number, location: string | undefined): Pick<AttemptResult, 'outcome' | 'error'> {
  if (status >= 200 && status < 300) return { outcome: 'succeeded' };
  if (status === 410) return { outcome: 'gone', error: 'HTTP 410 Gone: the receiver asked to stop' };
  if (status === 408 || status === 429 || status >= 500) return { outcome: 'retry', error: `HTTP ${status}` };
  if (status >= 300 && status < 400) {
    return { outcome: 'failed', error: `HTTP ${status} redirect${location ? ` to ${location}` : ''} not followed: register the final URL` };
  }
  return { outcome: 'failed', error: `HTTP ${status}` };
}

/** Retry-After as seconds from now: delay-seconds or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined, now: Date): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  const t = v.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const date = Date.parse(t);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
}
