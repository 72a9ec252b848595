// The torso's round shading goes on across a neckline opening: the neck's base showing on the centre
// line must not cut the rows through it out of the relief (a lighter band above a hard step there, or
// one side of the chest left in deep shadow as a block).
import { describe, expect, it } from 'vitest';
import { fillTorso } from '../../src/pipeline/person/layers/skin-fill.js';
import { PARSE_LABELS as L, type ModelAnalysis } from '../../src/pipeline/types.js';

const W = 200, H = 260;
const SKIN = [220, 170, 132];

function scene(): { a: ModelAnalysis; hole: Uint8Array; skinSrc: Uint8Array } {
  const n = W * H;
  const data = new Uint8Array(n * 4), lab = new Uint8Array(n), hole = new Uint8Array(n), skinSrc = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = i % W, y = (i / W) | 0;
    for (let c = 0; c < 3; c++) data[i * 4 + c] = 235;
    data[i * 4 + 3] = 255;
    // Arms either side of the torso: the visible skin the fill takes its tone from.
    const arm = (x >= 20 && x < 40) || (x >= 160 && x < 180);
    const torso = x >= 50 && x < 150 && y >= 30 && y < 240;
    // A V opening: neck skin from the top down to y = 110 on the centre line.
    const v = torso && y < 110 && Math.abs(x - 100) < (110 - y) * 0.4;
    if (arm && y >= 30) { lab[i] = L.left_arm; skinSrc[i] = 1; for (let c = 0; c < 3; c++) data[i * 4 + c] = SKIN[c]!; }
    else if (v) { lab[i] = L.neck; skinSrc[i] = 1; for (let c = 0; c < 3; c++) data[i * 4 + c] = SKIN[c]!; }
    else if (torso) { lab[i] = L.torso_clothing; hole[i] = 1; }
  }
  const row = (y: number) => ({ y, left: 50, right: 149, width: 100 });
  const a = {
    width: W, height: H, image: { width: W, height: H, data }, parsing: { width: W, height: H, data: lab },
    measurements: { chest: row(80), waist: row(160), hip: row(230), shoulder_width: 120 },
  } as unknown as ModelAnalysis;
  return { a, hole, skinSrc };
}

describe('fillTorso beside a neckline opening', () => {
  it('shades the rows through the opening like those below it: no step at its bottom, sides darker than beside the opening', () => {
    const { a, hole, skinSrc } = scene();
    const out = new Float32Array(W * H * 3);
    fillTorso(a, hole, skinSrc, new Float32Array(W * H).fill(1), out);
    const lum = (x: number, y: number) => { const i = (y * W + x) * 3; return 0.299 * out[i]! + 0.587 * out[i + 1]! + 0.114 * out[i + 2]!; };
    // Near the torso's side, just above and just below the opening's bottom: the same shading.
    for (const x of [58, 142]) expect(Math.abs(lum(x, 104) - lum(x, 116))).toBeLessThan(4);
    // Through the opening the chest is still round: its side darker than beside the opening.
    expect(lum(58, 90)).toBeLessThan(lum(75, 90) - 5);
    expect(lum(142, 90)).toBeLessThan(lum(125, 90) - 5);
  });
});
