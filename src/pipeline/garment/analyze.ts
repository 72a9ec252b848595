// Garment preparation: decode → cut-out → category → landmarks → parts → collar, timed per stage.
import { DEFAULT_LIMITS, decodeImage, maskExtent, type DecodeLimits } from '../image.js';
import type { GarmentAnalysis, GarmentCategory, Mask, ScoredPoint } from '../types.js';
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
  const landmarks = garmentLandmarks(shape, cat.category, photo);
  lap('landmarks');
  const parts = garmentParts(cut.mask, cat.category, landmarks);
  lap('parts');
  const collar = cat.category === 'bottom' ? null : findCollarBack(photo, shape, landmarks);
  if (collar) Object.assign(landmarks, neckFromCollar(collar, landmarks));
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

/**
 * With the inner back visible, the opening is that region: its lower edge at the centre is the front
 * neckline and its upper corners are the neck points.
 */
function neckFromCollar(collar: Mask, marks: Record<string, ScoredPoint>): Record<string, ScoredPoint> {
  const { width: w, height: h, data } = collar;
  const { x0, x1, y0 } = maskExtent(data, w, h) ?? { x0: w, x1: -1, y0: h };
  const topAt = (x: number) => {
    for (let y = 0; y < h; y++) if (data[y * w + x]) return y;
    return y0;
  };
  const out: Record<string, ScoredPoint> = {
    neck_left: { x: x1, y: topAt(x1), score: 0.7 },
    neck_right: { x: x0, y: topAt(x0), score: 0.7 },
  };
  const front = marks.neck_front;
  if (front) {
    const x = Math.round((x0 + x1) / 2);
    let y = -1;
    for (let yy = 0; yy < h; yy++) if (data[yy * w + x]) y = yy;
    out.neck_front = y < 0 ? front : { x, y: y + 1, score: 0.8 };
  }
  return out;
}
