// Errors the record layer raises that callers map to a response (not found, conflict).

/** Referenced records that do not exist for this tenant (or were deleted). */
export class RecordNotFoundError extends Error {
  override readonly name = 'RecordNotFoundError';
  constructor(
    readonly kind: 'garment' | 'model' | 'batch' | 'render' | 'webhook_endpoint',
    readonly ids: string[],
  ) {
    super(`${kind} not found: ${ids.join(', ')}`);
  }
}

// Node socket errors and Postgres SQLSTATEs that mean "the server is not reachable right now", not "this query is wrong":
// connection exceptions (08…), admin/crash shutdown and "starting up" (57P01–57P03), too many connections (53300).
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03', '53300',
]);
const UNAVAILABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error/i;

/** True when an error from the record store means the database is unreachable (transient), not that a query failed. */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && UNAVAILABLE_CODES.has(code)) return true;
    if (e instanceof AggregateError && e.errors.some((x) => isDatabaseUnavailable(x))) return true;
    if (e instanceof Error && UNAVAILABLE_MESSAGES.test(e.message)) return true;
  }
  return false;
}
