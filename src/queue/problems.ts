// Errors as the problem-shaped objects stored on records (the API serves them as RFC 9457 details).
import { UnrecoverableError } from 'bullmq';
import type { JsonObject } from '../db/schema.js';
import { InputError } from '../pipeline/errors.js';
import { StorageFullError } from '../storage/blob-store.js';

const BASE = 'https://tryon.dev/problems/';

const TITLES: Record<string, string> = {
  'unreadable-image': 'The image cannot be decoded',
  'unsupported-type': 'The file is not a supported image',
  'image-too-small': 'The image is too small',
  'too-many-pixels': 'The image has too many pixels',
  'no-person': 'No person was found in the photo',
  'no-garment': 'No garment was found in the photo',
  'bad-option': 'A render option cannot be applied',
  'source-missing': 'The uploaded file is missing from storage',
  'preparation-failed': 'An input could not be prepared',
  'input-deleted': 'An input was deleted',
  'job-lost': 'The render ended without a result',
  timeout: 'The render took too long',
  'storage-full': 'The file store is full',
  internal: 'Processing failed',
};

export function problem(code: string, detail: string, status = 422): JsonObject {
  return { type: BASE + code, title: TITLES[code] ?? TITLES.internal!, status, code, detail };
}

/** The record's error for anything a processor throws. */
export function problemOf(err: unknown): JsonObject {
  if (err instanceof InputError) return problem(err.code, err.message);
  if (err instanceof BadInputError) return err.problem;
  if (err instanceof StorageFullError) {
    return problem(
      'storage-full',
      'The file store was full, so the result could not be stored (it was retried). Free space or raise STORAGE_QUOTA_MB, then re-render or upload again.',
      507,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  return problem('internal', `Processing failed: ${message}. It was retried; if it keeps failing, report it with this message.`, 500);
}

/** Bad input found by a processor (not the pipeline): recorded as this problem and never retried. */
export class BadInputError extends UnrecoverableError {
  constructor(readonly problem: JsonObject) {
    super(String(problem.detail));
    this.name = 'BadInputError';
  }
}

/** Retrying will not help: bad input (from the pipeline or the processor). */
export function isPermanent(err: unknown): boolean {
  return err instanceof InputError || err instanceof UnrecoverableError;
}
