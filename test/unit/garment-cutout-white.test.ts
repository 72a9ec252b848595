// Cut-out of a white rib-knit button-front tank on a near-white backdrop with a soft shadow, drawn here
// with its true mask: the smooth white chest must not be taken for a hole, nor the shadow for fabric.
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyzeGarment } from '../../src/pipeline/garment/analyze.js';
import { maskIoU } from '../../src/pipeline/image.js';
import type { GarmentAnalysis, Mask } from '../../src/pipeline/types.js';

const W = 600, H = 800;
// Straps, a scoop neck, a body a little wider at the hem.
const OUTLINE = 'M170,80 L225,80 L232,190 Q300,250 368,190 L375,80 L430,80 L440,250 Q470,300 462,360 L478,740 L122,740 L138,360 Q130,300 160,250 Z';

function garmentSvg(): string {
  // Ribs one pixel wide, 3 grey levels deep: gone at the cut-out's coarse size, seen at full size.
  const rib = '<pattern id="rib" width="2" height="8" patternUnits="userSpaceOnUse"><rect width="1" height="8" fill="#000" fill-opacity="0.012"/></pattern>';
  const sides = '<linearGradient id="sides"><stop offset="0" stop-opacity="0.05"/><stop offset="0.2" stop-opacity="0"/><stop offset="0.8" stop-opacity="0"/><stop offset="1" stop-opacity="0.05"/></linearGradient>';
  const blur = '<filter id="blur" x="-20%" y="-20%" width="140%" height="140%"><feGaussianBlur stdDeviation="9"/></filter>';
  const buttons = [300, 380, 460, 540, 620].map((y) => `<circle cx="300" cy="${y}" r="7" fill="#d9c7a6" stroke="#a89270" stroke-width="1.5"/>`).join('');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><defs>${rib}${sides}${blur}</defs>
<rect width="${W}" height="${H}" fill="#f4f4f3"/>
<path d="${OUTLINE}" transform="translate(6,9)" fill="#000" fill-opacity="0.1" filter="url(#blur)"/>
<path d="${OUTLINE}" fill="#f5f5f4"/><path d="${OUTLINE}" fill="url(#rib)"/><path d="${OUTLINE}" fill="url(#sides)"/>
<path d="M232,190 Q300,250 368,190" fill="none" stroke="#e4e4e2" stroke-width="3"/>
<path d="M290,232 L290,740 M310,232 L310,740" stroke="#e6e6e4" stroke-width="1.5"/>
<path d="M138,420 Q300,440 462,420" fill="none" stroke="#e8e8e6" stroke-width="1.5"/>
${buttons}</svg>`;
}

let analysis: GarmentAnalysis;
let truth: Mask;

beforeAll(async () => {
  const photo = await sharp(Buffer.from(garmentSvg())).jpeg({ quality: 92 }).toBuffer();
  analysis = await analyzeGarment(photo);
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}"/><path d="${OUTLINE}" fill="#fff"/></svg>`;
  const { data } = await sharp(Buffer.from(svg)).extractChannel(0).raw().toBuffer({ resolveWithObject: true });
  truth = { width: W, height: H, data: new Uint8Array(data) };
});

describe('white rib tank on a white backdrop', () => {
  it('is cut out from the backdrop, not from its alpha', () => {
    expect(analysis.width).toBe(W);
    expect(analysis.cutout.source).toBe('background');
  });

  it('cut-out IoU ≥ 0.95 against the drawn outline', () => {
    expect(maskIoU(analysis.mask, truth)).toBeGreaterThanOrEqual(0.95);
  });

  it('keeps the smooth white chest on both sides of the placket', () => {
    // The chest between the neckline and the seam under it, placket and buttons left out.
    let inside = 0, total = 0;
    for (let y = 260; y < 410; y++)
      for (let x = 180; x < 420; x++) {
        if (x > 280 && x < 320) continue;
        total++;
        if (analysis.mask.data[y * W + x]! >= 128) inside++;
      }
    expect(inside / total).toBeGreaterThanOrEqual(0.99);
  });
});
