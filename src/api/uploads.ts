// Multipart uploads of photos: size limit while receiving, then content checks, normalisation and content-addressed storage.
import type { Request, RequestHandler } from 'express';
import multer from 'multer';
import { putContentAddressed, type ContentAddressedPut } from '../storage/index.js';
import type { ApiContext } from './context.js';
import { normalizeUpload, type NormalizedImage } from './images.js';
import { ProblemError } from './problem.js';

/** Receives the `image` file into memory, refusing (413) as soon as it passes UPLOAD_MAX_BYTES. */
export function receiveImage(ctx: ApiContext): RequestHandler {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: ctx.cfg.UPLOAD_MAX_BYTES, files: 1, fields: 20, fieldSize: 20_000, parts: 25 },
  }).single('image');
  const maxMb = (ctx.cfg.UPLOAD_MAX_BYTES / 1024 / 1024).toFixed(1);
  return (req, res, next) => {
    if (!req.is('multipart/form-data')) {
      next(new ProblemError('validation', 'Send the photo as multipart/form-data with the file in the field "image".', [{ field: 'body', message: 'not multipart/form-data' }]));
      return;
    }
    upload(req, res, (err: unknown) => {
      if (err instanceof multer.MulterError && err.code === 'LIMIT_FILE_SIZE') {
        next(new ProblemError('payload-too-large', `The image is larger than ${maxMb} MB (UPLOAD_MAX_BYTES). Send a smaller file.`, [{ field: 'form.image', message: 'too large' }]));
        return;
      }
      next(err);
    });
  };
}

export function uploadedFile(req: Request): Buffer {
  const file = req.file;
  if (!file || file.size === 0) {
    throw new ProblemError('validation', 'The form has no image: send the photo in the multipart field "image".', [{ field: 'form.image', message: 'required' }]);
  }
  return file.buffer;
}

export async function checkImage(ctx: ApiContext, bytes: Buffer): Promise<NormalizedImage> {
  return normalizeUpload(bytes, { maxPixels: ctx.cfg.MAX_INPUT_PIXELS, minEdge: ctx.cfg.MIN_INPUT_EDGE });
}

/** Stores the normalised photo once per content; `undo` removes it again if this request created it and no record uses it. */
export async function storeImage(ctx: ApiContext, tenantId: string, image: NormalizedImage): Promise<ContentAddressedPut> {
  return putContentAddressed(ctx.store, tenantId, 'inputs', image.bytes, image.ext);
}
