// Decoding uploads into working pixels, and small pixel helpers every stage shares.
import sharp from 'sharp';
import { InputError } from './errors.js';
import type { Mask, Point, RgbaImage } from './types.js';

export interface DecodeLimits {
  /** Long edge the image is scaled down to (never up). */
  maxEdge: number;
  /** Refuse images with more pixels than this before decoding them. */
  maxPixels: number;
  /** Refuse images whose short edge is smaller than this. */
  minEdge: number;
}

export const DEFAULT_LIMITS: DecodeLimits = { maxEdge: 2048, maxPixels: 50_000_000, minEdge: 64 };

const SUPPORTED = new Set(['jpeg', 'png', 'webp', 'avif', 'heif', 'tiff', 'gif']);

export interface DecodedImage {
  image: RgbaImage;
  /** True when the file carried a real (not fully opaque) alpha channel. */
  hasAlpha: boolean;
  format: string;
  /** Size of the file as stored, after EXIF orientation, before scaling. */
  originalWidth: number;
  originalHeight: number;
}

/**
 * Decodes bytes to RGBA: type by content, pixel limit before decoding, EXIF orientation applied,
 * converted to sRGB, scaled so the long edge is at most limits.maxEdge.
 */
export async function decodeImage(bytes: Uint8Array, limits: DecodeLimits = DEFAULT_LIMITS): Promise<DecodedImage> {
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new InputError(
      'unreadable-image',
      'The file is not an image that can be read. Send a JPEG, PNG, WebP or AVIF photo.',
    );
  }
  if (!meta.format || !SUPPORTED.has(meta.format)) {
    throw new InputError(
      'unsupported-type',
      `The file is ${meta.format ?? 'of an unknown type'}, not a photo. Send a JPEG, PNG, WebP or AVIF image.`,
    );
  }
  const w = meta.width ?? 0;
  const h = meta.height ?? 0;
  if (w * h > limits.maxPixels) {
    throw new InputError(
      'too-many-pixels',
      `The image is ${w}×${h} (${((w * h) / 1e6).toFixed(1)} megapixels); the limit is ${(limits.maxPixels / 1e6).toFixed(1)} megapixels. Scale it down and send it again.`,
    );
  }
  if (Math.min(w, h) < limits.minEdge) {
    throw new InputError(
      'image-too-small',
      `The image is ${w}×${h}; its short edge must be at least ${limits.minEdge} pixels.`,
    );
  }
  const oriented = (meta.orientation ?? 1) >= 5;
  const originalWidth = oriented ? h : w;
  const originalHeight = oriented ? w : h;
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'error' })
      .rotate()
      .resize({ width: limits.maxEdge, height: limits.maxEdge, fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .ensureAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const image: RgbaImage = { width: info.width, height: info.height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
    return { image, hasAlpha: meta.hasAlpha === true && !isOpaque(image), format: meta.format, originalWidth, originalHeight };
  } catch (e) {
    throw new InputError(
      'unreadable-image',
      `The image could not be decoded (${(e as Error).message.split('\n')[0]}); the file may be truncated or corrupt. Export it again and resend.`,
    );
  }
}

function isOpaque(img: RgbaImage): boolean {
  const d = img.data;
  for (let i = 3; i < d.length; i += 4) if (d[i] !== 255) return false;
  return true;
}

/** Encodes RGBA pixels as PNG. */
export function encodePng(img: RgbaImage): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } }).png().toBuffer();
}

/** Encodes a mask as a grey PNG. */
export function encodeMaskPng(mask: Mask): Promise<Buffer> {
  return sharp(mask.data, { raw: { width: mask.width, height: mask.height, channels: 1 } }).png().toBuffer();
}

/** Resizes RGBA pixels (bilinear-quality through libvips). */
export async function resizeRgba(img: RgbaImage, width: number, height: number): Promise<RgbaImage> {
  const data = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
  return { width, height, data: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** An inclusive pixel box. */
export interface PixelBox { x0: number; y0: number; x1: number; y1: number }

/** The box grown by `pad` on every side, clipped to the w×h frame. */
export function padBox(b: PixelBox, pad: number, w: number, h: number): PixelBox {
  return { x0: Math.max(0, b.x0 - pad), y0: Math.max(0, b.y0 - pad), x1: Math.min(w - 1, b.x1 + pad), y1: Math.min(h - 1, b.y1 + pad) };
}

/** Inclusive pixel extent of a mask's pixels at or above `min` (0/1 holes: 1; 0..255 masks: 128), or null when none. */
export function maskExtent(data: ArrayLike<number>, width: number, height: number, min = 1): PixelBox | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1, last = -1;
    for (let x = 0; x < width; x++) {
      if (data[row + x]! < min) continue;
      if (first < 0) first = x;
      last = x;
    }
    if (first < 0) continue;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
    if (y < y0) y0 = y;
    y1 = y;
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/** Inclusive extent, within the inclusive box `within` of a width-wide frame, of the pixels `at(i, x, y)` picks, or null when none. */
export function extentWhere(width: number, within: PixelBox, at: (i: number, x: number, y: number) => boolean): PixelBox | null {
  let x0 = width, y0 = Infinity, x1 = -1, y1 = -1;
  for (let y = within.y0; y <= within.y1; y++) {
    for (let x = within.x0, i = y * width + within.x0; x <= within.x1; x++, i++) {
      if (!at(i, x, y)) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

/**
 * Bounding box of the entries that are not 0 (NaN counts as set), or null when every entry is 0.
 * Each row is scanned from both ends, so a row's middle is skipped once its ends are known.
 */
export function nonZeroExtent(data: ArrayLike<number>, width: number, height: number): PixelBox | null {
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = 0;
    while (first < width && data[row + first] === 0) first++;
    if (first === width) continue;
    let last = width - 1;
    while (data[row + last] === 0) last--;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
    if (y < y0) y0 = y;
    y1 = y;
  }
  return x1 < 0 ? null : { x0, y0, x1, y1 };
}

export function newMask(width: number, height: number): Mask {
  return { width, height, data: new Uint8Array(width * height) };
}

/** Intersection over union of two masks of one size, thresholded at 128. */
export function maskIoU(a: Mask, b: Mask): number {
  if (a.width !== b.width || a.height !== b.height) throw new Error('maskIoU: masks differ in size');
  let inter = 0;
  let union = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]! >= 128;
    const y = b.data[i]! >= 128;
    if (x && y) inter++;
    if (x || y) union++;
  }
  return union === 0 ? 1 : inter / union;
}

/**
 * The run of `label` pixels across a line: from p along the unit normal n, offsets -reach..reach; the
 * run that holds p itself, else the one nearest it; [first, last] offsets, or null when there is none.
 */
export function labelRunAcross(labels: Uint8Array, width: number, height: number, p: Point, n: Point, reach: number, label: number): [number, number] | null {
  const hit = (o: number) => {
    const x = Math.round(p.x + n.x * o), y = Math.round(p.y + n.y * o);
    return x >= 0 && y >= 0 && x < width && y < height && labels[y * width + x] === label;
  };
  let best: [number, number] | null = null;
  for (let o = -reach; o <= reach; o++) {
    if (!hit(o)) continue;
    let e = o;
    while (e + 1 <= reach && hit(e + 1)) e++;
    if (o <= 0 && e >= 0) return [o, e];
    if (!best || Math.min(Math.abs(o), Math.abs(e)) < Math.min(Math.abs(best[0]), Math.abs(best[1]))) best = [o, e];
    o = e;
  }
  return best;
}
