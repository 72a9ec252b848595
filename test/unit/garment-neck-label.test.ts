// A label inside the back of the neck is painted out with the fabric; buttons and the front's print are kept.
import { describe, expect, it } from 'vitest';
import { eraseNeckLabel } from '../../src/pipeline/garment/neck-label.js';
import type { Mask, RgbaImage } from '../../src/pipeline/types.js';

const W = 400, H = 400;
/** A tee's upper part: fabric below y = 60 outside a round neck opening (corners at x 140 and 260, y 60; front at y 110). */
function tee(fabric: (x: number, y: number) => [number, number, number]): { image: RgbaImage; mask: Mask } {
  const data = new Uint8Array(W * H * 4), m = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const i = y * W + x;
    const u = (x - 200) / 60;
    const opening = Math.abs(u) < 1 && y < 60 + 50 * Math.sqrt(1 - u * u);
    const on = y >= 60 && x >= 40 && x < 360;
    data.set([245, 245, 245, 255], i * 4);
    if (on) {
      data.set([...fabric(x, y), 255], i * 4);
      m[i] = 255;
    }
    // The inside of the back shows through the opening: the same fabric, a little darker.
    if (on && opening) data.set(fabric(x, y).map((v) => v - 12) as [number, number, number], i * 4);
  }
  return { image: { width: W, height: H, data }, mask: { width: W, height: H, data: m } };
}
const rect = (img: RgbaImage, x0: number, y0: number, x1: number, y1: number, c: [number, number, number]) => {
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) img.data.set(c, (y * W + x) * 4);
};
const corners = [{ x: 140, y: 60 }, { x: 200, y: 110 }, { x: 260, y: 60 }] as const;

describe('eraseNeckLabel', () => {
  it('paints out a label (black border, cream inside, print) and keeps a small round button and the front print', () => {
    const white = (_x: number, y: number): [number, number, number] => [250 - Math.round(y / 40), 250 - Math.round(y / 40), 248];
    const { image, mask } = tee(white);
    // The label: 50 x 26 at the centre under the back neckline.
    rect(image, 175, 70, 224, 95, [20, 20, 20]);
    rect(image, 178, 73, 221, 92, [230, 220, 195]);
    rect(image, 185, 80, 214, 84, [40, 40, 40]);
    // A 7 px button on the placket under the front, and the front's print from y 150 down.
    rect(image, 197, 118, 203, 124, [120, 90, 40]);
    rect(image, 150, 150, 250, 260, [200, 30, 30]);
    const before = Uint8Array.from(image.data);
    const found = eraseNeckLabel(image, mask, corners[0], corners[1], corners[2]);
    expect(found).toHaveLength(1);
    // The label's box is the fabric round it, within a few levels.
    let worst = 0;
    for (let y = 68; y <= 97; y++) for (let x = 173; x <= 226; x++) for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(image.data[(y * W + x) * 4 + c]! - white(x, y)[c]!));
    expect(worst).toBeLessThanOrEqual(16);
    // The button and the print are untouched.
    let changed = 0;
    for (let y = 110; y < H; y++) for (let x = 0; x < W; x++) for (let c = 0; c < 3; c++) if (image.data[(y * W + x) * 4 + c] !== before[(y * W + x) * 4 + c]) changed++;
    expect(changed).toBe(0);
  });

  it('leaves a busy print and a print reaching up into the neck alone', () => {
    // A check of period 8 all over: every neighbourhood has marks, they join across the box.
    const check = (x: number, y: number): [number, number, number] => ((Math.floor(x / 4) + Math.floor(y / 4)) % 2 ? [230, 120, 130] : [250, 240, 240]);
    const a = tee(check);
    const before = Uint8Array.from(a.image.data);
    expect(eraseNeckLabel(a.image, a.mask, corners[0], corners[1], corners[2])).toHaveLength(0);
    expect(Buffer.compare(Buffer.from(before), Buffer.from(a.image.data))).toBe(0);
    // A plain tee whose print starts just under the neckline and runs on down.
    const b = tee(() => [40, 60, 160]);
    rect(b.image, 170, 112, 230, 300, [250, 220, 30]);
    expect(eraseNeckLabel(b.image, b.mask, corners[0], corners[1], corners[2])).toHaveLength(0);
  });
});
