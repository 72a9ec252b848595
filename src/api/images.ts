// The API's only use of sharp: checking and normalising uploads, and resizing files on the way out.
import sharp from 'sharp';
import { ProblemError } from './problem.js';

export interface UploadLimits {
  maxPixels: number;
  minEdge: number;
}

export interface NormalizedImage {
  bytes: Buffer;
  ext: 'jpg' | 'png' | 'webp' | 'avif';
  width: number;
  height: number;
}

/** Signatures of the image types we accept: a file that starts like one but fails to decode is corrupt, anything else is the wrong type. */
function looksLikeImage(b: Uint8Array): boolean {
  const ascii = (from: number, to: number) => Buffer.from(b.subarray(from, to)).toString('latin1');
  return (
    (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) ||
    ascii(0, 8) === '\x89PNG\r\n\x1a\n' ||
    (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WEBP') ||
    ascii(4, 8) === 'ftyp' ||
    ascii(0, 4) === 'GIF8' ||
    ascii(0, 4) === 'II*\0' ||
    ascii(0, 4) === 'MM\0*'
  );
}

const unsupported = (what: string) =>
  new ProblemError('unsupported-image', `The file is ${what}, not a photo. Send a JPEG, PNG, WebP or AVIF image (the type is read from the content, not the name).`, [
    { field: 'form.image', message: 'unsupported type' },
  ]);

/**
 * Checks an upload by its content (type, pixel count before decoding, size) and re-encodes it with
 * EXIF orientation applied and every metadata block (EXIF, GPS, XMP, ICC) dropped, in its own format
 * at high quality. Deterministic: the same bytes give the same output, so storage can dedupe by hash.
 */
export async function normalizeUpload(bytes: Uint8Array, limits: UploadLimits): Promise<NormalizedImage> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    if (looksLikeImage(bytes)) throw corrupt('its header cannot be read');
    throw unsupported('not an image');
  }
  let ext: NormalizedImage['ext'];
  switch (meta.format) {
    case 'jpeg': ext = 'jpg'; break;
    case 'png': case 'gif': case 'tiff': ext = 'png'; break;
    case 'webp': ext = 'webp'; break;
    case 'heif':
      if (meta.compression !== 'av1') throw unsupported('HEIC (HEVC), which this server cannot decode');
      ext = 'avif';
      break;
    default:
      throw unsupported(meta.format ? `of type ${meta.format}` : 'of an unknown type');
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w * h > limits.maxPixels) {
    throw new ProblemError(
      'too-many-pixels',
      `The image is ${w}×${h} (${((w * h) / 1e6).toFixed(1)} megapixels); the limit is ${(limits.maxPixels / 1e6).toFixed(1)} megapixels. Scale it down and send it again.`,
      [{ field: 'form.image', message: 'too many pixels' }],
    );
  }
  if (Math.min(w, h) < limits.minEdge) {
    throw new ProblemError('image-too-small', `The image is ${w}×${h}; its short edge must be at least ${limits.minEdge} pixels.`, [
      { field: 'form.image', message: 'too small' },
    ]);
  }
  try {
    // Only the first frame of an animation; rotate() applies EXIF orientation; no withMetadata(): everything is stripped.
    let img = sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error', pages: 1 }).rotate();
    if (ext === 'jpg') img = img.jpeg({ quality: 95, chromaSubsampling: '4:4:4' });
    else if (ext === 'png') img = img.png({ compressionLevel: 6 });
    else if (ext === 'webp') img = img.webp({ quality: 95, alphaQuality: 100 });
    else img = img.avif({ quality: 90, effort: 2 });
    const { data, info } = await img.toBuffer({ resolveWithObject: true });
    return { bytes: data, ext, width: info.width, height: info.height };
  } catch (e) {
    throw corrupt((e as Error).message.split('\n')[0]);
  }
}

function corrupt(why: string): ProblemError {
  return new ProblemError('corrupt-image', `The image cannot be decoded (${why}); the file may be truncated or damaged. Export it again and resend.`, [
    { field: 'form.image', message: 'corrupt' },
  ]);
}

export interface Transform {
  w?: number;
  h?: number;
  fit: 'inside' | 'cover' | 'contain';
  format?: 'jpeg' | 'webp' | 'avif' | 'png';
}

const MIME = { jpeg: 'image/jpeg', webp: 'image/webp', avif: 'image/avif', png: 'image/png' } as const;

/** Resizes (never enlarges) and/or converts a stored image. */
export async function transformImage(bytes: Uint8Array, t: Transform, maxPixels: number): Promise<{ bytes: Buffer; contentType: string }> {
  let img = sharp(bytes, { limitInputPixels: maxPixels });
  if (t.w !== undefined || t.h !== undefined) {
    img = img.resize({ width: t.w, height: t.h, fit: t.fit, withoutEnlargement: true, background: { r: 255, g: 255, b: 255, alpha: 1 } });
  }
  let format = t.format;
  if (!format) {
    const m = await sharp(bytes, { limitInputPixels: maxPixels }).metadata();
    format = m.format === 'png' ? 'png' : m.format === 'webp' ? 'webp' : m.format === 'heif' ? 'avif' : 'jpeg';
  }
  if (format === 'jpeg') img = img.flatten({ background: '#ffffff' }).jpeg({ quality: 88, mozjpeg: true });
  else if (format === 'webp') img = img.webp({ quality: 85 });
  else if (format === 'avif') img = img.avif({ quality: 60, effort: 2 });
  else img = img.png();
  return { bytes: await img.toBuffer(), contentType: MIME[format] };
}
