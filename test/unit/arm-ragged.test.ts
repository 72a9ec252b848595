// Arm labels past the arm's own smooth outline (the parsing's bites into pale clothing beside it) are found; the arm is not.
import { describe, expect, it } from 'vitest';
import { raggedArmPixels, runningMedian } from '../../src/pipeline/person/layers/arm-ragged.js';
import { PARSE_LABELS as L } from '../../src/pipeline/types.js';
import { leftArmOutline, paintScene } from './arm-outline.js';

const W = 140, H = 220;

describe('raggedArmPixels', () => {
  it('flags blobs standing out of the arm\'s inner side over a short stretch, not the arm, its smooth taper or the hand', () => {
    const outline = leftArmOutline(W, H, [14, 14], [12, 12]);
    // The arm down x = 60 (joint y 20, wrist y 180), 12 px each side tapering to 9; blobs 6 px deep on its inner side at y 120–130; a hand below.
    const half = (y: number) => 12 - (3 * (y - 20)) / 160;
    const blob = (x: number, y: number) => y >= 120 && y < 131 && x < 60 - half(y) && x >= 60 - half(y) - 6;
    const { a } = paintScene(W, H, (x, y) => {
      if (y >= 20 && y < 180 && (Math.abs(x - 60) <= half(y) || blob(x, y))) return { c: [200, 150, 120], label: L.left_arm };
      if (y >= 180 && y < 210 && Math.abs(x - 60) <= 10) return { c: [200, 150, 120], label: L.hands };
      return null;
    });
    const r = raggedArmPixels(a, outline.skeleton);
    let blobs = 0, flaggedBlobs = 0, flaggedArm = 0;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (blob(x, y)) { blobs++; if (r[i]) flaggedBlobs++; }
        else if (r[i]) flaggedArm++;
      }
    }
    expect(blobs).toBeGreaterThan(40);
    // Past the arm's edge by more than the 2-px tolerance: the blobs' outer 4 of 6 columns.
    expect(flaggedBlobs / blobs).toBeGreaterThan(0.55);
    expect(flaggedArm).toBe(0);
  });

  it('takes a running median that ignores a short run of outliers', () => {
    const v = new Float32Array(40).fill(10);
    for (let k = 18; k < 22; k++) v[k] = 20;
    v[5] = NaN;
    const m = runningMedian(v, 6);
    for (let k = 0; k < 40; k++) expect(m[k], `k ${k}`).toBe(10);
  });
});
