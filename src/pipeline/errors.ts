// Errors the pipeline raises for bad input: a stable code and a sentence saying what to fix.

export type InputErrorCode =
  | 'unreadable-image'
  | 'unsupported-type'
  | 'image-too-small'
  | 'too-many-pixels'
  | 'no-person'
  | 'no-garment'
  | 'bad-option';

/** Bad input: retrying will not help; the caller must send something else. */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(
    readonly code: InputErrorCode,
    message: string,
  ) {
    super(message);
  }
}
