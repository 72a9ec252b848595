// Portrait enhancement (render stage 5): what depends on the model photo is prepared once; a render only touches the garment region.
import { z } from 'zod';
import type { NetworkRegistry } from '../../inference/registry.js';
import type { Face, Mask, RgbaImage } from '../types.js';
import { retouchFace } from './face-retouch.js';
import { regionToMask } from './face-regions.js';
import { copyImage, maskBounds } from './filters.js';
import { defaultContrastRadius, localContrast } from './local-contrast.js';
import { sharpenInMask } from './sharpen.js';
import { superResolveFace } from './super-resolution.js';
import { IDENTITY_TONE, applyTone, estimateTone, type ToneParams } from './tone.js';

export { IDENTITY_TONE, type ToneParams } from './tone.js';

export const enhanceOptionsSchema = z.object({
  /** Scales every step's strength; 0 returns the image unchanged. */
  level: z.number().min(0).max(1).default(0.6),
  white_balance: z.boolean().default(true),
  tone: z.boolean().default(true),
  local_contrast: z.boolean().default(true),
  face_retouch: z.boolean().default(true),
  face_super_resolution: z.boolean().default(true),
  print_sharpen: z.boolean().default(true),
});
export type EnhanceOptions = z.infer<typeof enhanceOptionsSchema>;
export type EnhanceOptionsInput = z.input<typeof enhanceOptionsSchema>;

/** Local-contrast amount and print-sharpen amount at level 1. */
const LOCAL_CONTRAST = 0.3;
const PRINT_SHARPEN = 0.8;

export interface PreparedEnhancement {
  /** The enhanced person photo (same size as the input). */
  image: RgbaImage;
  /** The global correction the person took; a render applies the same one to the garment region. */
  tone: ToneParams;
  /** Where face retouch acted (0..255), for overlays and to protect the face; null without landmarks. */
  face_mask: Mask | null;
  /** Steps that were skipped and why (e.g. no landmarks, network missing). */
  notes: string[];
  timings_ms: Record<string, number>;
}

/**
 * Model-preparation half (cached per model photo): face super-resolution for a small face, face
 * retouch, white balance and tone, local contrast. The input image is not modified.
 */
export async function prepareEnhancement(
  image: RgbaImage,
  face: Face | null,
  nets: NetworkRegistry | null,
  options: EnhanceOptionsInput = {},
): Promise<PreparedEnhancement> {
  const opts = enhanceOptionsSchema.parse(options);
  const timings: Record<string, number> = {};
  const notes: string[] = [];
  let t = performance.now();
  const lap = (step: string) => {
    const now = performance.now();
    timings[step] = Math.round((now - t) * 10) / 10;
    t = now;
  };
  const out = copyImage(image);
  const level = opts.level;
  if (level === 0) return { image: out, tone: IDENTITY_TONE, face_mask: null, notes: ['level 0: unchanged'], timings_ms: timings };

  // Restore before smoothing: the network works best on the photo's own detail.
  if (opts.face_super_resolution) {
    if (!face) notes.push('face super-resolution: no face');
    else if (!nets) notes.push('face super-resolution: no network registry');
    else {
      const sr = await superResolveFace(out, face, nets, { strength: level });
      if (!sr.applied) notes.push(`face super-resolution skipped: ${sr.note}`);
      else notes.push(`face super-resolution: ${sr.mode} (network ${sr.network_ms} ms)`);
    }
    lap('super_resolution');
  }
  let face_mask: Mask | null = null;
  if (opts.face_retouch) {
    const fr = face ? retouchFace(out, face, { strength: level }) : null;
    if (fr) face_mask = regionToMask(fr.skin, fr.region, out.width, out.height);
    else notes.push(face ? 'face retouch: the face has no landmarks' : 'face retouch: no face');
    lap('face_retouch');
  }
  const tone = opts.white_balance || opts.tone ? estimateTone(image, { whiteBalance: opts.white_balance, tone: opts.tone }) : IDENTITY_TONE;
  applyTone(out, tone, level);
  lap('tone');
  if (opts.local_contrast) {
    localContrast(out, { amount: LOCAL_CONTRAST * level });
    lap('local_contrast');
  }
  timings.total = Math.round(Object.values(timings).reduce((s, v) => s + v, 0) * 10) / 10;
  return { image: out, tone, face_mask, notes, timings_ms: timings };
}

/**
 * Render half (per garment, must stay fast): on a composite of the garment over the prepared
 * person, the garment region takes the person's tone and local contrast, and its print is
 * sharpened. Pixels outside the garment mask are not changed. Returns a new image.
 */
export function applyRenderEnhancement(image: RgbaImage, garmentMask: Mask, tone: ToneParams, options: EnhanceOptionsInput = {}): RgbaImage {
  const opts = enhanceOptionsSchema.parse(options);
  const out = copyImage(image);
  const level = opts.level;
  if (level === 0) return out;
  if (opts.white_balance || opts.tone) {
    const t: ToneParams = {
      gains: opts.white_balance ? tone.gains : [1, 1, 1],
      black: opts.tone ? tone.black : 0,
      white: opts.tone ? tone.white : 255,
      contrast: opts.tone ? tone.contrast : 0,
    };
    applyTone(out, t, level, garmentMask);
  }
  const radius = defaultContrastRadius(out.width, out.height);
  const region = maskBounds(garmentMask, radius * 2);
  if (!region) return out;
  if (opts.local_contrast) localContrast(out, { amount: LOCAL_CONTRAST * level, radius, weight: garmentMask, region });
  if (opts.print_sharpen) sharpenInMask(out, garmentMask, { amount: PRINT_SHARPEN * level, region });
  return out;
}
