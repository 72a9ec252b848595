// RFC 9457 problem details: the one error shape the API answers with, and its stable type URIs.
import { z } from 'zod';

export const PROBLEM_BASE = 'https://tryon.dev/problems/';

/** Every problem type the API can answer with, its HTTP status and its title. */
export const PROBLEM_TYPES = {
  validation: { status: 400, title: 'The request is not valid' },
  unauthorized: { status: 401, title: 'Missing or invalid API key' },
  forbidden: { status: 403, title: 'The API key lacks the scope this needs' },
  'not-found': { status: 404, title: 'Not found' },
  conflict: { status: 409, title: 'Conflict with the current state' },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-image': { status: 415, title: 'The file is not a supported image' },
  'corrupt-image': { status: 422, title: 'The image cannot be decoded' },
  'too-many-pixels': { status: 422, title: 'The image has too many pixels' },
  'image-too-small': { status: 422, title: 'The image is too small' },
  'idempotency-key-reused': { status: 422, title: 'The Idempotency-Key was used for a different request' },
  'webhook-url-refused': { status: 422, title: 'The webhook URL may not be called' },
  'rate-limited': { status: 429, title: 'Too many requests' },
  internal: { status: 500, title: 'Internal error' },
  'service-unavailable': { status: 503, title: 'A service the request needs is unavailable' },
  'storage-full': { status: 507, title: 'The file store is full' },
} as const;

export type ProblemType = keyof typeof PROBLEM_TYPES;

export interface FieldIssue {
  /** Where: `body.garment_id`, `query.limit`, `form.category`, `header.idempotency-key`. */
  field: string;
  message: string;
}

export const problemSchema = z
  .object({
    type: z.string().describe('Stable URI of the kind of problem; branch on this.'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().describe('What went wrong and what to change.'),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional().describe('One entry per invalid field.'),
  })
  .describe('RFC 9457 problem details');

export type Problem = z.infer<typeof problemSchema>;

/** Thrown anywhere in a request; the error middleware turns it into problem+json. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly status: number;
  constructor(
    readonly kind: ProblemType,
    readonly detail: string,
    readonly errors?: FieldIssue[],
    /** Extra response headers (Retry-After…). */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.status = PROBLEM_TYPES[kind].status;
  }

  toJSON(instance?: string): Problem {
    return {
      type: PROBLEM_BASE + this.kind,
      title: PROBLEM_TYPES[this.kind].title,
      status: this.status,
      detail: this.detail,
      ...(instance ? { instance } : {}),
      ...(this.errors && this.errors.length > 0 ? { errors: this.errors } : {}),
    };
  }
}

/** A zod failure as field issues, prefixed with where the value came from. */
export function issuesOf(error: z.ZodError, where: string): FieldIssue[] {
  return error.issues.map((i) => ({
    field: [where, ...i.path.map(String)].join('.'),
    message: i.message,
  }));
}

export function validationProblem(error: z.ZodError, where: string): ProblemError {
  const errors = issuesOf(error, where);
  const fields = [...new Set(errors.map((e) => e.field))].join(', ');
  return new ProblemError('validation', `Fix these fields and send the request again: ${fields}.`, errors);
}

export function notFound(what: string, id: string): ProblemError {
  return new ProblemError('not-found', `No ${what} ${JSON.stringify(id)} exists for this API key's tenant.`);
}

export function serviceUnavailable(what: string): ProblemError {
  return new ProblemError('service-unavailable', `${what} is unreachable right now; nothing was changed. Retry in a few seconds.`, undefined, {
    'Retry-After': '5',
  });
}
