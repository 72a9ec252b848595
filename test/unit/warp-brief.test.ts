// Bodysuits: the brief below the hem corners is found, cut off the body panel (sleeves kept), and the hem goes to the waistband.
import { describe, expect, it } from 'vitest';
import { garmentPieces } from '../../src/pipeline/warp/garment-warp.js';
import { hasBrief } from '../../src/pipeline/warp/targets.js';
import type { GarmentAnalysis, Point } from '../../src/pipeline/types.js';

const W = 200, H = 300;

/** A flat top drawn from rectangles (x0, y0, x1, y1), with landmarks for a long-sleeved body 40..160 × 20..200. */
function garment(rects: [number, number, number, number][]): { g: GarmentAnalysis; G: Record<string, Point> } {
  const data = new Uint8Array(W * H);
  const rgba = new Uint8Array(W * H * 4);
  for (const [x0, y0, x1, y1] of rects) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) {
      data[y * W + x] = 255;
      rgba.set([90, 60, 40, 255], (y * W + x) * 4);
    }
  }
  const G: Record<string, Point> = {
    neck_left: { x: 115, y: 20 }, neck_right: { x: 85, y: 20 }, neck_front: { x: 100, y: 40 },
    shoulder_left: { x: 160, y: 22 }, shoulder_right: { x: 40, y: 22 },
    armpit_left: { x: 160, y: 70 }, armpit_right: { x: 40, y: 70 },
    sleeve_left_outer: { x: 185, y: 280 }, sleeve_left_inner: { x: 165, y: 280 },
    sleeve_right_outer: { x: 15, y: 280 }, sleeve_right_inner: { x: 35, y: 280 },
    hem_left: { x: 160, y: 200 }, hem_right: { x: 40, y: 200 },
  };
  const scored = Object.fromEntries(Object.entries(G).map(([k, p]) => [k, { ...p, score: 0.9 }]));
  const g = {
    width: W, height: H, image: { width: W, height: H, data: rgba }, mask: { width: W, height: H, data },
    cutout: { source: 'alpha', confidence: 1, background: null }, category: 'top', category_source: 'given', category_confidence: 1,
    landmarks: scored, parts: { width: W, height: H, data: new Uint8Array(W * H) }, collar_back: null, timings_ms: {},
  } as GarmentAnalysis;
  return { g, G };
}

const BODY: [number, number, number, number] = [40, 20, 160, 200];
const SLEEVES: [number, number, number, number][] = [[160, 20, 190, 282], [10, 20, 40, 282]];

describe('a bodysuit', () => {
  it('is told apart from a top with a tie, a shirttail or nothing below its hem', () => {
    expect(hasBrief(garment([BODY, ...SLEEVES, [80, 200, 120, 285]]).g, garment([]).G)).toBe(true);
    expect(hasBrief(garment([BODY, ...SLEEVES]).g, garment([]).G)).toBe(false);
    // A tie hanging at the side, and a shirttail hem nearly as wide as the body.
    expect(hasBrief(garment([BODY, ...SLEEVES, [140, 200, 148, 285]]).g, garment([]).G)).toBe(false);
    expect(hasBrief(garment([BODY, ...SLEEVES, [50, 200, 150, 240]]).g, garment([]).G)).toBe(false);
  });

  it('loses its brief from the body panel, while the sleeves keep their cuffs', () => {
    const { g, G } = garment([BODY, ...SLEEVES, [80, 200, 120, 285]]);
    const p = garmentPieces(g, G, true, hasBrief(g, G));
    const alphaAt = (lvl: { width: number; data: Float32Array }, x: number, y: number) => lvl.data[(y * lvl.width + x) * 4 + 3]!;
    const body = p.body.levels[0]!;
    let brief = 0, torso = 0;
    for (let y = 205; y < 285; y++) for (let x = 80; x < 120; x++) brief += alphaAt(body, x, y);
    for (let y = 100; y < 190; y++) for (let x = 60; x < 140; x++) torso += alphaAt(body, x, y) > 250 ? 1 : 0;
    expect(brief).toBe(0);
    expect(torso).toBe(80 * 90);
    // The sleeves reach below the hem line to their cuffs.
    expect(alphaAt(p.sleeves!.left.levels[0]!, 175, 270)).toBeGreaterThan(250);
    expect(alphaAt(p.sleeves!.right.levels[0]!, 25, 270)).toBeGreaterThan(250);
  });
});
