// Face retouch: edge-preserving skin smoothing inside the face-mesh skin mask, eyes and lips kept sharp.
import { guidedFilter } from '../composite/guided-filter.js';
import type { Face, RgbaImage } from '../types.js';
import { channelPlane, clamp255, lumaPlane, smoothBlur } from './filters.js';
import { faceRegions, type FaceRegions } from './face-regions.js';

export interface RetouchOptions {
  /** 0..1: how far skin moves toward its smoothed version (1 still keeps some texture). */
  strength: number;
}

/** Share of the smoothed skin at strength 1; the rest is the original, so pores and grain stay. */
const MAX_SKIN_BLEND = 0.75;
/** Unsharp amount on eyes, brows and lips at strength 1. */
const MAX_FEATURE_SHARPEN = 0.35;
/** Guided-filter eps in squared levels: skin texture (σ ≲ 12 levels) is smoothed, real edges (nose, jaw) kept. */
const EPS = 16 * 16;

/**
 * Retouches the face in place and returns the regions it used (null when the face has no landmarks,
 * in which case nothing changes). Pixels outside the feathered face oval are never written.
 */
export function retouchFace(img: RgbaImage, face: Face, opts: RetouchOptions): FaceRegions | null {
  const strength = Math.min(1, Math.max(0, opts.strength));
  const fr = faceRegions(face, img.width, img.height);
  if (!fr || strength === 0) return fr;
  const { region, skin, features } = fr;
  const { width: w, height: h } = region;
  const radius = Math.max(2, Math.round(fr.size * 0.025));
  const blend = MAX_SKIN_BLEND * strength;
  const d = img.data;

  const smooth: Float32Array[] = [];
  for (let c = 0; c < 3; c++) {
    const plane = channelPlane(img, region, c);
    // Self-guided: each channel keeps its own edges (a lip line that is a colour edge, not a luma one).
    smooth.push(guidedFilter(plane, plane, w, h, radius, EPS));
  }

  // Features: luma unsharp mask of radius 1 computed on the untouched pixels.
  const luma = lumaPlane(img, region);
  const lumaBlur = smoothBlur(luma, w, h, 1);
  const sharpen = MAX_FEATURE_SHARPEN * strength;

  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const s = skin[i]! * blend;
      const f = features[i]! * sharpen;
      if (s < 1e-3 && f < 1e-3) continue;
      const o = ((region.y + y) * img.width + region.x + x) * 4;
      const detail = (luma[i]! - lumaBlur[i]!) * f;
      for (let c = 0; c < 3; c++) {
        const v = d[o + c]!;
        d[o + c] = clamp255(v + (smooth[c]![i]! - v) * s + detail);
      }
    }
  }
  return fr;
}
