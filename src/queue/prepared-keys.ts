// Blob keys of prepared inputs: derived from the photo's sha256 and what shaped the result, so the same photo is prepared once.
import { contentKey } from '../storage/index.js';

/**
 * Bumped when the pipeline's prepared output changes shape or meaning: old blobs are then prepared anew.
 * 2: garment analyses find the collar's back behind a printed V, and model layers take skin by the
 * shoulder line back from the old top (with the cut-out, landmark and layer changes before them),
 * which blobs prepared by version 1 lack.
 */
export const PREPARED_VERSION = 2;

export function preparedGarmentKey(tenantId: string, sha256: string, category: string | null): string {
  return contentKey(tenantId, 'prepared', `${sha256}.garment-${category ?? 'auto'}.v${PREPARED_VERSION}`, 'bin');
}

export function preparedModelKey(tenantId: string, sha256: string): string {
  return contentKey(tenantId, 'prepared', `${sha256}.model.v${PREPARED_VERSION}`, 'bin');
}
