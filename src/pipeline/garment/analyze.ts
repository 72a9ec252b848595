// Garment preparation: decode → cut-out → category → landmarks → parts → collar, timed per stage.
import { DEFAULT_LIMITS, decodeImage, type DecodeLimits } from '../image.js';
import type { GarmentAnalysis, GarmentCategory, Mask } from '../types.js';
import { garmentCategory } from './category.js';
import { findCollarBack } from './collar.js';
import { cutoutGarment } from './cutout.js';
import { garmentLandmarks } from './landmarks.js';
import { garmentParts } from './parts.js';
import { garmentShape } from './shape.js';

/** Analysis runs at most at this long edge: landmarks need no more, and it keeps preparation fast. */
export const GARMENT_WORKING_EDGE = 1024;

export interface AnalyzeGarmentOptions {
  category?: GarmentCategory;
  limits?: DecodeLimits;
}

export async function analyzeGarment(bytes: Uint8Array, opts: AnalyzeGarmentOptions = {}): Promise<GarmentAnalysis> {
  const timings: Record<string, number> = {};
  let t = performance.now();
  const start = t;
  const lap = (name: string) => {
    const now = performance.now();
    timings[name] = Math.round((now - t) * 10) / 10;
    t = now;
  };
  const base = opts.limits ?? DEFAULT_LIMITS;
  const decoded = await decodeImage(bytes, { ...base, maxEdge: Math.min(base.maxEdge, GARMENT_WORKING_EDGE) });
  const photo = decoded.image;
  lap('decode');
  const cut = cutoutGarment(photo, decoded.hasAlpha);
  lap('cutout');
  const shape = garmentShape(cut.mask);
  const cat = garmentCategory(shape, opts.category);
  lap('category');
  const landmarks = garmentLandmarks(shape, cat.category);
  lap('landmarks');
  const parts = garmentParts(cut.mask, cat.category, landmarks);
  lap('parts');
  const collar = cat.category === 'bottom' ? null : findCollarBack(photo, shape, landmarks);
  if (collar && landmarks.neck_front) landmarks.neck_front = frontNeckline(collar, landmarks.neck_front.x, landmarks.neck_front.y);
  lap('collar');
  // The cut-out keeps the photo's colours everywhere; only alpha changes, so the photo can be recovered.
  const image = { width: photo.width, height: photo.height, data: new Uint8Array(photo.data) };
  for (let i = 0; i < cut.mask.data.length; i++) image.data[4 * i + 3] = cut.mask.data[i]!;
  timings.total = Math.round((performance.now() - start) * 10) / 10;
  return {
    width: photo.width,
    height: photo.height,
    image,
    mask: cut.mask,
    cutout: { source: cut.source, confidence: cut.confidence, background: cut.background },
    category: cat.category,
    category_source: cat.source,
    category_confidence: cat.confidence,
    landmarks,
    parts,
    collar_back: collar,
    timings_ms: timings,
  };
}

/** With the inner back visible, the front neckline is the lower edge of that region at the centre. */
function frontNeckline(collar: Mask, cx: number, fallbackY: number) {
  const x = Math.round(cx);
  let y = -1;
  for (let yy = 0; yy < collar.height; yy++) if (collar.data[yy * collar.width + x]) y = yy;
  return y < 0 ? { x, y: fallbackY, score: 0.3 } : { x, y: y + 1, score: 0.8 };
}
