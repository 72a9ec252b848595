// The one error middleware: every failure leaves as RFC 9457 problem+json with a stable type.
import type { ErrorRequestHandler, RequestHandler } from 'express';
import multer from 'multer';
import { InvalidCursorError, isDatabaseUnavailable, RecordNotFoundError } from '../../db/index.js';
import { InvalidBlobKeyError, StorageFullError } from '../../storage/index.js';
import type { Logger } from '../../logger.js';
import { ProblemError, serviceUnavailable } from '../problem.js';

/** Maps what the layers below throw to a problem; unknown errors become a 500 that is logged. */
export function toProblem(err: unknown): ProblemError | null {
  if (err instanceof ProblemError) return err;
  if (err instanceof RecordNotFoundError) {
    return new ProblemError('not-found', `No ${err.kind.replace('_', ' ')} ${err.ids.join(', ')} exists for this API key's tenant.`);
  }
  if (err instanceof InvalidCursorError) {
    return new ProblemError('validation', err.message, [{ field: 'query.cursor', message: 'not a cursor this API issued' }]);
  }
  if (err instanceof InvalidBlobKeyError) return new ProblemError('not-found', 'No file with this key exists for this tenant.');
  if (isDatabaseUnavailable(err)) return serviceUnavailable('The database (Postgres)');
  if (err instanceof StorageFullError) {
    return new ProblemError(
      'storage-full',
      'The file store is full, so nothing was stored and nothing was changed. The operator must free space (or raise STORAGE_QUOTA_MB); then send the request again.',
    );
  }
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return null; // needs the configured limit: handled in the upload middleware
    const field = err.field ? `form.${err.field}` : 'form';
    return new ProblemError('validation', `The multipart form is not valid (${err.message}). Send one file in the field "image" and text fields only.`, [
      { field, message: err.message },
    ]);
  }
  const e = err as { type?: string; status?: number; expose?: boolean; message?: string };
  // body-parser errors (express.json)
  if (e.type === 'entity.too.large') return new ProblemError('payload-too-large', 'The JSON body is larger than 1 MB. Send a smaller body.');
  if (e.type === 'entity.parse.failed') {
    return new ProblemError('validation', `The body is not valid JSON (${e.message}). Send a JSON object with Content-Type: application/json.`, [
      { field: 'body', message: 'invalid JSON' },
    ]);
  }
  if (e.type === 'encoding.unsupported' || e.type === 'charset.unsupported') return new ProblemError('validation', `${e.message}. Send UTF-8 JSON.`);
  return null;
}

export function sendProblem(res: Parameters<RequestHandler>[1], problem: ProblemError, instance?: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const [k, v] of Object.entries(problem.headers)) res.setHeader(k, v);
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem.toJSON(instance)));
}

export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const problem = toProblem(err);
    if (problem) {
      sendProblem(res, problem, req.originalUrl.split('?')[0]);
      return;
    }
    log.error({ err, method: req.method, url: req.originalUrl }, 'request failed');
    sendProblem(res, new ProblemError('internal', 'The server failed to answer this request; it was logged. Retry, and report it if it persists.'));
  };
}

/** Unknown routes answer like every other error. */
export const notFoundRoute: RequestHandler = (req, res) => {
  sendProblem(res, new ProblemError('not-found', `There is no ${req.method} ${req.path}; see /v1/openapi.json for the operations.`));
};
