// PNG overlays a person can check at a glance: cut-out on a checkerboard, mask, landmarks, parts.
import sharp from 'sharp';
import { encodeMaskPng, maskExtent } from '../image.js';
import { GARMENT_PARTS, type GarmentAnalysis } from '../types.js';
import { garmentShape } from './shape.js';

const PART_COLOURS: Record<number, [number, number, number]> = {
  [GARMENT_PARTS.body]: [40, 120, 255],
  [GARMENT_PARTS.sleeve_left]: [255, 60, 60],
  [GARMENT_PARTS.sleeve_right]: [60, 200, 60],
};

export async function garmentOverlays(a: GarmentAnalysis): Promise<Record<string, Buffer>> {
  const { width: W, height: H } = a;
  const u = Math.max(1, Math.round(Math.max(W, H) / 500));
  const photo = opaque(a);
  return {
    'cutout.png': await cutoutOnChecker(a, u),
    'mask.png': await encodeMaskPng(a.mask),
    'landmarks.png': await compose(photo, W, H, [svg(W, H, landmarkSvg(a, u))]),
    'parts.png': await compose(photo, W, H, [await rawPng(partsTint(a), W, H), svg(W, H, partsLegend(a, u))]),
  };
}

/** The photo without the cut-out's alpha (analysis keeps the colours under alpha 0). */
function opaque(a: GarmentAnalysis): Buffer {
  const d = Buffer.from(a.image.data);
  for (let i = 3; i < d.length; i += 4) d[i] = 255;
  return d;
}

const rawPng = (rgba: Buffer, W: number, H: number) => sharp(rgba, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer();

function svg(W: number, H: number, body: string): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${body}</svg>`);
}

async function compose(rgba: Buffer, W: number, H: number, layers: Buffer[]): Promise<Buffer> {
  return sharp(rgba, { raw: { width: W, height: H, channels: 4 } })
    .composite(layers.map((input) => ({ input, top: 0, left: 0 })))
    .png()
    .toBuffer();
}

async function cutoutOnChecker(a: GarmentAnalysis, u: number): Promise<Buffer> {
  const { width: W, height: H } = a;
  const c = 8 * u;
  const board = svg(W, H, `<defs><pattern id="c" width="${2 * c}" height="${2 * c}" patternUnits="userSpaceOnUse"><rect width="${2 * c}" height="${2 * c}" fill="#bbb"/><rect width="${c}" height="${c}" fill="#777"/><rect x="${c}" y="${c}" width="${c}" height="${c}" fill="#777"/></pattern></defs><rect width="${W}" height="${H}" fill="url(#c)"/>`);
  const cut = await sharp(a.image.data, { raw: { width: W, height: H, channels: 4 } }).png().toBuffer();
  const caption = svg(W, H, text(4 * u, 14 * u, `cut-out: ${a.cutout.source}, confidence ${a.cutout.confidence.toFixed(2)}`, u));
  return sharp(board).composite([{ input: cut }, { input: caption }]).png().toBuffer();
}

function scoreColour(s: number): string {
  // red (unsure) → yellow → green (sure)
  const r = s < 0.5 ? 255 : Math.round(255 * (1 - s) * 2);
  const g = s < 0.5 ? Math.round(255 * s * 2) : 255;
  return `rgb(${r},${g},0)`;
}

function text(x: number, y: number, s: string, u: number, anchor = 'start'): string {
  const esc = s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<text x="${x}" y="${y}" font-family="DejaVu Sans, sans-serif" font-size="${9 * u}" text-anchor="${anchor}" fill="#fff" stroke="#000" stroke-width="${u * 2.5}" paint-order="stroke">${esc}</text>`;
}

function landmarkSvg(a: GarmentAnalysis, u: number): string {
  const shape = garmentShape(a.mask);
  const c = shape.contour;
  let pts = '';
  for (let i = 0; i < c.length; i += 8) pts += `${c[i]},${c[i + 1]} `;
  let s = `<polygon points="${pts}" fill="none" stroke="#00e5ff" stroke-width="${u}"/>`;
  if (a.collar_back) {
    const b = maskExtent(a.collar_back.data, a.width, a.height, 128);
    if (b) s += `<rect x="${b.x0}" y="${b.y0}" width="${b.x1 - b.x0}" height="${b.y1 - b.y0}" fill="none" stroke="#ff00ff" stroke-width="${u}" stroke-dasharray="${4 * u},${2 * u}"/>` + text(b.x0, b.y0 - 3 * u, 'collar back', u);
  }
  for (const [name, p] of Object.entries(a.landmarks)) {
    const right = p.x > shape.cx;
    s += `<circle cx="${p.x}" cy="${p.y}" r="${4 * u}" fill="${scoreColour(p.score)}" stroke="#000" stroke-width="${u}"/>`;
    const label = `${name} ${p.score.toFixed(2)}`;
    // Labels point away from the centre unless that would run off the image.
    const wide = label.length * 5.2 * u;
    const toRight = right ? p.x + wide < a.width : p.x - wide < 0;
    s += text(p.x + (toRight ? 6 : -6) * u, p.y - 4 * u, label, u, toRight ? 'start' : 'end');
  }
  s += text(4 * u, 14 * u, `${a.category} (${a.category_source}, ${a.category_confidence.toFixed(2)}); dot colour = score, red low, green high`, u);
  return s;
}

function partsTint(a: GarmentAnalysis): Buffer {
  const { width: W, height: H } = a;
  const out = Buffer.alloc(W * H * 4);
  for (let i = 0; i < W * H; i++) {
    const c = PART_COLOURS[a.parts.data[i]!];
    const collar = a.collar_back && a.collar_back.data[i]! >= 128;
    if (!c && !collar) continue;
    const [r, g, b] = collar ? [255, 0, 255] : c!;
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = 130;
  }
  return out;
}

function partsLegend(a: GarmentAnalysis, u: number): string {
  void a;
  return text(4 * u, 14 * u, 'blue body, red wearer-left sleeve, green wearer-right sleeve, magenta collar back', u);
}
