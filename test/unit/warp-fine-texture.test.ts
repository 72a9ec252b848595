// Which sleeves get the stronger prefilter: a check near the pixel rate, not a print of larger shapes or a plain fabric.
import { describe, expect, it } from 'vitest';
import { fineTexture } from '../../src/pipeline/warp/garment-warp.js';

const W = 160, H = 160;
function piece(shade: (x: number, y: number) => number): Uint8Array {
  const d = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const v = shade(x, y), o = (y * W + x) * 4;
    d[o] = v; d[o + 1] = Math.round(v * 0.6); d[o + 2] = Math.round(v * 0.6); d[o + 3] = 255;
  }
  return d;
}

describe('fineTexture', () => {
  it('finds a gingham of 3-pixel checks', () => {
    expect(fineTexture(piece((x, y) => 120 + 50 * (Math.floor(x / 3) % 2) + 50 * (Math.floor(y / 3) % 2)), W, H)).toBe(true);
  });
  it('leaves out stripes 12 pixels wide, a print of large shapes and a plain fabric', () => {
    expect(fineTexture(piece((x) => (Math.floor(x / 12) % 2 ? 230 : 30)), W, H)).toBe(false);
    expect(fineTexture(piece((x, y) => ((x - 80) ** 2 + (y - 80) ** 2 < 40 ** 2 ? 220 : 40)), W, H)).toBe(false);
    expect(fineTexture(piece((x, y) => 150 + ((x * 7 + y * 13) % 5)), W, H)).toBe(false);
  });
  it('ignores the piece outside its opaque inside', () => {
    const d = piece((x, y) => 120 + 50 * (Math.floor(x / 3) % 2) + 50 * (Math.floor(y / 3) % 2));
    for (let i = 3; i < d.length; i += 4) d[i] = 0;
    expect(fineTexture(d, W, H)).toBe(false);
  });
});
