// Fabric rests on the shoulders: over them the garment follows the person's outline, not the flat photo's corners.
import { distanceTo } from '../person/layers/raster.js';
import type { Mask, Point, RgbaImage } from '../types.js';

/** How far past the person's outline fabric may stand over a shoulder, in shoulder widths, by fit. */
export const DRAPE_EASE = { slim: 0.012, regular: 0.025, loose: 0.045 } as const;
/** Width of the soft edge where the garment is cut back to the shoulder, in shoulder widths. */
const DRAPE_FEATHER = 0.02;
/** Height above the armpit over which the cut fades out (a sleeve may stand off the arm below it), in shoulder widths. */
const DRAPE_FADE = 0.15;

export interface DrapeTargets {
  neck_left?: Point;
  neck_right?: Point;
  armpit_left?: Point;
  armpit_right?: Point;
}

/**
 * A flat garment's shoulder is a corner and its sleeve's top a straight slant; a warp that puts the
 * shoulder seam out at the deltoid leaves the corner, and a sleeve cap as wide as its arm, standing
 * in the air above the shoulder (merchants called them epaulettes and a boxy, sticker-like shape).
 * On a body the fabric lies on the shoulder: above the armpits and outside the neck's corners, each
 * image is faded to nothing from `ease` to `ease + feather` pixels outside the person's outline.
 * Collars (between the neck corners) and everything below the armpits keep their shape. Modifies the
 * images' alpha in place; returns how many garment pixels (alpha ≥ 128) were cut.
 */
export function drapeOverShoulders(images: (RgbaImage | null)[], person: Mask, t: DrapeTargets, shoulderWidth: number, fit: keyof typeof DRAPE_EASE): number {
  const { neck_left: nl, neck_right: nr, armpit_left: al, armpit_right: ar } = t;
  if (!nl || !nr || !al || !ar) return 0;
  const W = person.width, H = person.height;
  const S = Math.max(8, shoulderWidth);
  const fade = DRAPE_FADE * S;
  const yEnd = Math.min(H, Math.ceil(Math.max(al.y, ar.y)));
  if (yEnd <= 0) return 0;
  const ease = DRAPE_EASE[fit] * S + 1;
  const feather = Math.max(2, DRAPE_FEATHER * S);
  // Rows from a little above the garment's top (the distance there needs the person's pixels just above it).
  const first = images[0] ? firstRow(images[0], yEnd) : 0;
  const yStart = Math.max(0, first - Math.ceil(ease + feather) - 2);
  const rows = yEnd - yStart;
  if (rows <= 0) return 0;
  const seed = new Uint8Array(W * rows);
  for (let i = 0; i < seed.length; i++) seed[i] = person.data[yStart * W + i]! >= 128 ? 1 : 0;
  const dist = distanceTo(seed, W, rows);
  // The person's left is whichever side its neck corner is on.
  const cx = (nl.x + nr.x) / 2;
  const sg = nl.x >= nr.x ? 1 : -1;
  const reachL = (nl.x - cx) * sg, reachR = (cx - nr.x) * sg;
  let cut = 0;
  for (let y = Math.max(yStart, first); y < yEnd; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const d = dist[i - yStart * W]!;
      if (d <= ease) continue;
      const across = (x - cx) * sg;
      const left = across > 0;
      if (left ? across <= reachL : -across <= reachR) continue;
      const armpitY = left ? al.y : ar.y;
      const z = Math.min(1, Math.max(0, (armpitY - y) / fade));
      if (z <= 0) continue;
      const keep = 1 - z * Math.min(1, (d - ease) / feather);
      for (const img of images) {
        if (!img) continue;
        const o = i * 4 + 3;
        const a = img.data[o]!;
        if (a === 0) continue;
        const na = Math.round(a * keep);
        if (img === images[0] && a >= 128 && na < 128) cut++;
        img.data[o] = na;
      }
    }
  }
  return cut;
}

/** The first row (before `end`) where the image has any coverage; `end` when none. */
function firstRow(img: RgbaImage, end: number): number {
  const W = img.width;
  for (let y = 0; y < end; y++) for (let x = 0; x < W; x++) if (img.data[(y * W + x) * 4 + 3]! > 0) return y;
  return end;
}
