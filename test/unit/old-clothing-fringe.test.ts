// The old top takes its fringe with it: the skin's and the neck's edge pixels (left, they drew a dark
// line round the old neckline that read as a necklace), and a sliver of it that the parsing gave to
// the trousers (left, a line of the old colour beside the new garment) — but not the trousers' own edge.
import { describe, expect, it } from 'vitest';
import { oldClothing } from '../../src/pipeline/person/layers/old-clothing.js';
import { PARSE_LABELS as L, type ModelAnalysis } from '../../src/pipeline/types.js';

const W = 120, H = 160, n = W * H;

function analysis(lab: Uint8Array, img?: Uint8Array): ModelAnalysis {
  return { width: W, height: H, parsing: { width: W, height: H, data: lab }, ...(img ? { image: { width: W, height: H, data: img } } : {}) } as unknown as ModelAnalysis;
}

describe('oldClothing', () => {
  it('takes the neck pixels right at the old top\'s edge, and none further up the neck', () => {
    const lab = new Uint8Array(n), top = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const x = i % W, y = (i / W) | 0;
      if (y >= 60) { lab[i] = L.torso_clothing; top[i] = 1; }
      else if (Math.abs(x - 60) < 20 && y >= 20) lab[i] = L.neck;
      else lab[i] = L.background;
    }
    const old = oldClothing(analysis(lab), top);
    expect(old[59 * W + 60]).toBeGreaterThan(0);
    expect(old[50 * W + 60]).toBe(0);
  });

  it('takes an edge pixel labelled trousers that is nearer the top\'s colour, and leaves the trousers\' own edge', () => {
    // An orange top (x < 60) beside light-blue trousers (x >= 60), rows 20..140.
    const lab = new Uint8Array(n), top = new Uint8Array(n), img = new Uint8Array(n * 4);
    const ORANGE = [250, 160, 30], BLUE = [180, 200, 220], MIXED = [230, 180, 110];
    for (let i = 0; i < n; i++) {
      const x = i % W, y = (i / W) | 0;
      let c = [235, 235, 235];
      if (y >= 20 && y < 140) {
        if (x < 60) { lab[i] = L.torso_clothing; top[i] = 1; c = ORANGE; }
        else { lab[i] = L.lower_clothing; c = x === 60 && y < 80 ? MIXED : BLUE; }
      }
      img.set([c[0]!, c[1]!, c[2]!, 255], i * 4);
    }
    const old = oldClothing(analysis(lab, img), top);
    // Rows 20..79: the half-orange edge pixel at x 60 goes with the top; rows 80..139: the blue edge stays.
    expect(old[50 * W + 60]).toBeGreaterThan(0);
    expect(old[110 * W + 60]).toBe(0);
    expect(old[50 * W + 61]).toBe(0);
  });

  it('takes no edge pixel of trousers in the top\'s own colour (no colour to tell the fringe by)', () => {
    const lab = new Uint8Array(n), top = new Uint8Array(n), img = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const x = i % W, y = (i / W) | 0;
      let c = [235, 235, 235];
      if (y >= 20 && y < 140) {
        if (x < 60) { lab[i] = L.torso_clothing; top[i] = 1; c = [240, 240, 236]; }
        else { lab[i] = L.lower_clothing; c = x === 60 ? [238, 238, 236] : [228, 230, 232]; }
      }
      img.set([c[0]!, c[1]!, c[2]!, 255], i * 4);
    }
    const old = oldClothing(analysis(lab, img), top);
    expect(old[50 * W + 60]).toBe(0);
  });
});
