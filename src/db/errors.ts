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
