// Test helper: a garment drawn from an outline polygon (unit frame, centre x = 0, y down) on a plain
// backdrop, its landmarks found from the drawn mask, and the frame's mapping into the image.
import sharp from 'sharp';
import { garmentLandmarks } from '../../src/pipeline/garment/landmarks.js';
import { garmentShape } from '../../src/pipeline/garment/shape.js';
import type { Mask, RgbaImage, ScoredPoint } from '../../src/pipeline/types.js';

export type P = [number, number];
export const W = 768, H = 1024;

export interface DrawnGarment {
  /** Unit frame → image pixels. */
  tx: (p: P) => P;
  /** Image pixels per unit. */
  scale: number;
  /** The garment's height in image pixels. */
  height: number;
  /** The outline as an SVG path in image pixels. */
  d: string;
}

/** Fits the outline to 82% of the image's height (and `maxWidth` of its width) about the centre. */
export function drawOutline(outline: P[], maxWidth = 1): DrawnGarment {
  const ys = outline.map((p) => p[1]), xs = outline.map((p) => Math.abs(p[0]));
  const scale = Math.min((0.82 * H) / (Math.max(...ys) - Math.min(...ys)), (maxWidth * W) / Math.max(...xs));
  const oy = H / 2 - ((Math.min(...ys) + Math.max(...ys)) / 2) * scale;
  const tx = (p: P): P => [W / 2 + p[0] * scale, oy + p[1] * scale];
  const d = 'M' + outline.map((p) => tx(p).map((v) => v.toFixed(1)).join(',')).join(' L') + ' Z';
  return { tx, scale, height: (Math.max(...ys) - Math.min(...ys)) * scale, d };
}

/** Landmarks of a top drawn as `g` with the given SVG fill attributes and extra SVG on top (seams). */
export async function landmarksOf(g: DrawnGarment, fill: string, extra = ''): Promise<Record<string, ScoredPoint>> {
  const photoSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="#f4f4f4"/><path d="${g.d}" ${fill}/>${extra}</svg>`;
  const maskSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="#000"/><path d="${g.d}" fill="#fff"/></svg>`;
  const photo = await sharp(Buffer.from(photoSvg)).ensureAlpha().raw().toBuffer();
  const m = await sharp(Buffer.from(maskSvg)).extractChannel(0).raw().toBuffer();
  const image: RgbaImage = { width: W, height: H, data: new Uint8Array(photo) };
  const mask: Mask = { width: W, height: H, data: Uint8Array.from(m, (v) => (v >= 128 ? 255 : 0)) };
  return garmentLandmarks(garmentShape(mask), 'top', image);
}

/** Distance of a found landmark from its drawn truth (unit frame), in garment heights. */
export function landmarkError(g: DrawnGarment, truth: P, found: { x: number; y: number }): number {
  const [x, y] = g.tx(truth);
  return Math.hypot(found.x - x, found.y - y) / g.height;
}
