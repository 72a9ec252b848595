// A top photographed flat shows its back neckline on top and, below it, the inside of the back with
// its label down to the front neckline's seam: the front neckline is that seam, not the outline's
// shallow dent (drawn there, the label showed on the wearer's throat).
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { analyzeGarment } from '../../src/pipeline/garment/analyze.js';
import { drawOutline, type P } from './garment-outline.js';

const W = 768, H = 1024;
// Unit frame, centre x = 0, y down: a tee whose top edge dips only 4 units between the neck corners at ±60.
const RIGHT: P[] = [[0, 4], [30, 3], [60, 0], [160, 30], [235, 125], [195, 165], [160, 135], [160, 520], [0, 520]];
const OUTLINE: P[] = [...RIGHT, ...RIGHT.slice(1, -1).reverse().map(([x, y]): P => [-x, y])];

async function tee(seam: boolean): Promise<{ bytes: Buffer; tx: (p: P) => P; height: number }> {
  const g = drawOutline(OUTLINE, 0.9);
  const [a, b, c, d] = [g.tx([-60, 2]), g.tx([-55, 70]), g.tx([55, 70]), g.tx([60, 2])];
  const [l0, l1] = [g.tx([-18, 10]), g.tx([18, 30])];
  const extra = seam
    ? `<path d="M${a[0]},${a[1]} C${b[0]},${b[1]} ${c[0]},${c[1]} ${d[0]},${d[1]}" fill="none" stroke="#6f8396" stroke-width="4"/>` +
      `<rect x="${l0[0]}" y="${l0[1]}" width="${l1[0] - l0[0]}" height="${l1[1] - l0[1]}" fill="#eeeae0" stroke="#202020" stroke-width="5"/>`
    : '';
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="#f4f4f4"/><path d="${g.d}" fill="#bcd3ea"/>${extra}</svg>`;
  return { bytes: await sharp(Buffer.from(svg)).jpeg({ quality: 92 }).toBuffer(), tx: g.tx, height: g.height };
}

describe('front neckline inside a flat top', () => {
  it('is the seam below the label, not the outline\'s shallow dent at the back neckline', async () => {
    const t = await tee(true);
    const g = await analyzeGarment(new Uint8Array(t.bytes), { category: 'top' });
    const front = g.landmarks.neck_front!;
    // The seam's lowest point: y 53 (the cubic's middle).
    const [sx, sy] = t.tx([0, 53]);
    expect(Math.abs(front.y - sy) / t.height).toBeLessThanOrEqual(0.02);
    expect(Math.abs(front.x - sx)).toBeLessThanOrEqual(4);
    // Below the label: the wearer's neck goes in front of it.
    expect(front.y).toBeGreaterThan(t.tx([0, 30])[1]);
  });

  it('stays at the outline\'s dent when no seam shows inside (a plain flat top)', async () => {
    const t = await tee(false);
    const g = await analyzeGarment(new Uint8Array(t.bytes), { category: 'top' });
    expect(Math.abs(g.landmarks.neck_front!.y - t.tx([0, 4])[1]) / t.height).toBeLessThanOrEqual(0.02);
  });
});
