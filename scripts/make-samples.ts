// Generates the sample garment photos in samples/garments/ (flat-lay look, SVG rendered by sharp) with their ground truth.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { GARMENT_LANDMARKS, type GarmentCategory } from '../src/pipeline/types.js';

type P = [number, number];
/** A half outline from the top centre to the bottom centre on the image's right (the wearer's left). */
interface Half {
  pts: P[];
  /** index in pts → landmark base name ('neck' becomes neck_left here and neck_right mirrored). */
  marks: Record<number, string>;
}
interface Spec {
  name: string;
  category: GarmentCategory;
  half: Half;
  /** Extra landmarks on the centre line (neck_front, crotch). */
  centre?: Record<string, P>;
  /** Holes, as full closed polygons in the unit frame. */
  holes?: P[][];
  /** Inner back seen through the neck (ghost mannequin), full polygon. */
  inner?: P[];
  width: number;
  height: number;
  bg: [string, string];
  fill: [string, string];
  /** Print, text or logo: its painted box is the truth's print_box. */
  decor?: (tx: (p: P) => P, s: number) => string;
  /** Construction details (collar, placket) that are fabric, not print. */
  trim?: (tx: (p: P) => P, s: number) => string;
  stripes?: string;
  cutout?: boolean;
}

const OUT = 'samples/garments';
const mirror = (p: P): P => [-p[0], p[1]];

function outline(h: Half): P[] {
  const right = h.pts;
  const left = right.slice(1, -1).reverse().map(mirror);
  return [...right, ...left];
}

function landmarkNames(h: Half, centre: Record<string, P> | undefined): Record<string, P> {
  const out: Record<string, P> = {};
  for (const [i, base] of Object.entries(h.marks)) {
    const p = h.pts[Number(i)]!;
    const side = base.includes('|') ? base.split('|') : [base + '_left', base + '_right'];
    out[side[0]!] = p;
    out[side[1]!] = mirror(p);
  }
  return { ...out, ...(centre ?? {}) };
}

const path = (pts: P[]): string => 'M' + pts.map((p) => `${p[0].toFixed(1)},${p[1].toFixed(1)}`).join(' L') + ' Z';

async function render(spec: Spec): Promise<void> {
  const all = outline(spec.half);
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const minX = Math.min(...xs), maxX = Math.max(...xs), minY = Math.min(...ys), maxY = Math.max(...ys);
  const { width: W, height: H } = spec;
  const s = Math.min((W * 0.8) / (maxX - minX), (H * 0.82) / (maxY - minY));
  const ox = W / 2 - ((minX + maxX) / 2) * s;
  const oy = H / 2 - ((minY + maxY) / 2) * s;
  const tx = (p: P): P => [ox + p[0] * s, oy + p[1] * s];
  const shape = path(all.map(tx)) + (spec.holes ?? []).map((h) => path(h.map(tx))).join(' ');
  const gy0 = oy + minY * s, gy1 = oy + maxY * s;
  const folds = [0.3, 0.55, 0.8]
    .map((f, i) => {
      const y = gy0 + (gy1 - gy0) * f;
      return `<path d="M${ox - 200 * s},${y} Q${ox},${y + (i % 2 ? 40 : -40) * s} ${ox + 200 * s},${y + 20 * s}" stroke="#000" stroke-opacity="0.07" stroke-width="${26 * s}" fill="none" filter="url(#soft)"/>`;
    })
    .join('');
  const stripes = spec.stripes
    ? Array.from({ length: Math.ceil(H / 6) }, (_, i) => `<rect x="0" y="${i * 6}" width="${W}" height="3" fill="${spec.stripes}"/>`).join('')
    : '';
  const inner = spec.inner ? `<path d="${path(spec.inner.map(tx))}" fill="url(#innerg)"/>` : '';
  const decor = spec.decor ? spec.decor(tx, s) : '';
  const trim = spec.trim ? spec.trim(tx, s) : '';
  const defs = `<defs>
    <linearGradient id="bg" x1="0" y1="0" x2="0.3" y2="1"><stop offset="0" stop-color="${spec.bg[0]}"/><stop offset="1" stop-color="${spec.bg[1]}"/></linearGradient>
    <linearGradient id="fab" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${spec.fill[0]}"/><stop offset="1" stop-color="${spec.fill[1]}"/></linearGradient>
    <linearGradient id="innerg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#000" stop-opacity="0.55"/><stop offset="1" stop-color="#000" stop-opacity="0.35"/></linearGradient>
    <filter id="shadow" x="-20%" y="-20%" width="140%" height="140%"><feGaussianBlur stdDeviation="${9 * Math.max(1, W / 768)}"/></filter>
    <filter id="soft"><feGaussianBlur stdDeviation="${8 * s}"/></filter>
    <clipPath id="clip"><path d="${shape}" fill-rule="evenodd"/></clipPath>
  </defs>`;
  const garment = `<path d="${shape}" fill-rule="evenodd" fill="url(#fab)"/>
    <g clip-path="url(#clip)">${stripes}${inner}${folds}${trim}${decor}
      <path d="${shape}" fill="none" stroke="#000" stroke-opacity="0.22" stroke-width="3"/></g>`;
  const shadow = `<path d="${shape}" fill-rule="evenodd" fill="#000" fill-opacity="0.22" transform="translate(${5 * s},${9 * s})" filter="url(#shadow)"/>`;
  const bgRect = spec.cutout ? '' : `<rect width="${W}" height="${H}" fill="url(#bg)"/>${shadow}`;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${defs}${bgRect}${garment}</svg>`;
  const img = sharp(Buffer.from(svg));
  if (spec.cutout) await img.png({ compressionLevel: 9 }).toFile(join(OUT, `${spec.name}.png`));
  else await img.jpeg({ quality: 90, mozjpeg: true }).toFile(join(OUT, `${spec.name}.jpg`));

  const maskSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}"><rect width="${W}" height="${H}" fill="#000"/><path d="${shape}" fill-rule="evenodd" fill="#fff"/></svg>`;
  await sharp(Buffer.from(maskSvg)).greyscale().png().toFile(join(OUT, 'truth', `${spec.name}.mask.png`));

  const marks = landmarkNames(spec.half, spec.centre);
  const landmarks: Record<string, { x: number; y: number }> = {};
  for (const name of GARMENT_LANDMARKS[spec.category] as readonly string[]) {
    const p = marks[name];
    if (p) landmarks[name] = { x: +tx(p)[0].toFixed(1), y: +tx(p)[1].toFixed(1) };
  }
  const truth: Record<string, unknown> = { category: spec.category, landmarks };
  if (decor) truth.print_box = await boxOf(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${decor}</svg>`);
  if (inner) truth.collar_box = await boxOf(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">${inner.replace('url(#innerg)', '#000')}</svg>`);
  writeFileSync(join(OUT, 'truth', `${spec.name}.json`), JSON.stringify(truth, null, 2) + '\n');
}

/** Bounding box of what an SVG layer paints (alpha > 0). */
async function boxOf(svg: string): Promise<{ x: number; y: number; width: number; height: number }> {
  const { data, info } = await sharp(Buffer.from(svg)).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  let x0 = info.width, y0 = info.height, x1 = -1, y1 = -1;
  for (let y = 0; y < info.height; y++)
    for (let x = 0; x < info.width; x++)
      if (data[(y * info.width + x) * 4 + 3]! > 8) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

// Outlines in a unit frame (centre x = 0, y down). Sleeves leave the body at 30–45°.
const tee: Half = {
  pts: [[0, 70], [38, 62], [66, 42], [85, 20], [175, 45], [220, 98], [265, 150], [215, 200], [165, 160], [162, 300], [168, 430], [172, 520], [90, 528], [0, 530]],
  marks: { 3: 'neck', 4: 'shoulder', 6: 'sleeve_left_outer|sleeve_right_outer', 7: 'sleeve_left_inner|sleeve_right_inner', 8: 'armpit', 11: 'hem' },
};
const longSleeve: Half = {
  pts: [[0, 66], [40, 58], [68, 38], [85, 18], [175, 45], [290, 250], [400, 440], [348, 470], [250, 320], [165, 175], [160, 330], [170, 520], [0, 530]],
  marks: { 3: 'neck', 4: 'shoulder', 6: 'sleeve_left_outer|sleeve_right_outer', 7: 'sleeve_left_inner|sleeve_right_inner', 9: 'armpit', 11: 'hem' },
};
// A back strap joins the straps across the top, so the neck opening is a real hole in the garment.
const tank: Half = {
  pts: [[0, 20], [118, 20], [120, 70], [132, 125], [170, 168], [166, 330], [172, 520], [0, 530]],
  marks: { 1: 'shoulder', 4: 'armpit', 6: 'hem' },
};
const tankHole: P[] = [[-66, 40], [66, 40], [62, 72], [42, 94], [0, 104], [-42, 94], [-62, 72]];
const dress: Half = {
  pts: [[0, 95], [45, 82], [68, 50], [72, 20], [130, 25], [134, 85], [160, 150], [150, 250], [138, 340], [180, 520], [230, 700], [262, 850], [130, 858], [0, 860]],
  marks: { 3: 'neck', 4: 'shoulder', 6: 'armpit', 8: 'waist', 11: 'hem' },
};
const skirt: Half = {
  pts: [[0, 0], [130, 0], [136, 40], [190, 260], [255, 520], [130, 528], [0, 530]],
  marks: { 1: 'waist', 4: 'hem_left_outer|hem_right_outer' },
};
const trousers: Half = {
  pts: [[0, 0], [150, 0], [156, 40], [172, 420], [190, 900], [40, 900], [10, 380], [0, 300]],
  marks: { 1: 'waist', 4: 'hem_left_outer|hem_right_outer', 5: 'hem_left_inner|hem_right_inner' },
};
// Long sleeves lying against the body, down past the hem: no armpit dent, only the seam line inside.
const flushSleeve: Half = {
  pts: [[0, 66], [40, 58], [68, 38], [85, 18], [175, 45], [200, 150], [214, 400], [222, 560], [152, 560], [152, 530], [0, 530]],
  marks: { 3: 'neck', 4: 'shoulder', 7: 'sleeve_left_outer|sleeve_right_outer', 8: 'sleeve_left_inner|sleeve_right_inner', 9: 'hem' },
};
const flushSeams = (tx: (p: P) => P, s: number): string =>
  [1, -1]
    .map((k) => {
      const a = tx([k * 160, 175]), b = tx([k * 152, 530]);
      return `<path d="M${a[0]},${a[1]} L${b[0]},${b[1]}" stroke="#000" stroke-opacity="0.35" stroke-width="${3 * s}" fill="none"/>`;
    })
    .join('');
// A tee with ties hanging from the hem: the hem corners stay on the body, not on the ties.
const tieTee: Half = {
  pts: [[0, 70], [38, 62], [66, 42], [85, 20], [175, 45], [220, 98], [265, 150], [215, 200], [165, 160], [162, 300], [168, 430], [172, 520], [150, 522], [150, 680], [128, 680], [128, 524], [90, 528], [0, 530]],
  marks: { 3: 'neck', 4: 'shoulder', 6: 'sleeve_left_outer|sleeve_right_outer', 7: 'sleeve_left_inner|sleeve_right_inner', 8: 'armpit', 11: 'hem' },
};
const ghostTee: Half = {
  pts: [[0, 28], [50, 24], [85, 18], [175, 45], [220, 98], [262, 148], [214, 198], [165, 162], [162, 300], [168, 430], [172, 520], [90, 528], [0, 530]],
  marks: { 2: 'neck', 3: 'shoulder', 5: 'sleeve_left_outer|sleeve_right_outer', 6: 'sleeve_left_inner|sleeve_right_inner', 7: 'armpit', 10: 'hem' },
};
const ghostInner: P[] = [[-84, 21], [-50, 26], [0, 30], [50, 26], [84, 21], [70, 45], [40, 66], [0, 76], [-40, 66], [-70, 45]];

const teePrint = (tx: (p: P) => P, s: number): string => {
  const [cx, cy] = tx([0, 230]);
  return `<circle cx="${cx}" cy="${cy - 30 * s}" r="${45 * s}" fill="#f4c20d"/><path d="M${cx - 30 * s},${cy - 20 * s} L${cx},${cy - 65 * s} L${cx + 30 * s},${cy - 20 * s} Z" fill="#d62d20"/>
    <text x="${cx}" y="${cy + 55 * s}" font-family="DejaVu Sans, sans-serif" font-weight="bold" font-size="${34 * s}" text-anchor="middle" fill="#ffffff">TRYON 2026</text>`;
};
const poloDecor = (tx: (p: P) => P, s: number): string => {
  const [lx, ly] = tx([95, 130]);
  return `<circle cx="${lx}" cy="${ly}" r="${13 * s}" fill="#f5f5f5"/><text x="${lx}" y="${ly + 5 * s}" font-family="DejaVu Sans, sans-serif" font-size="${14 * s}" font-weight="bold" text-anchor="middle" fill="#1b5e20">T</text>`;
};
const poloCollar = (tx: (p: P) => P, s: number): string => {
  const wing = (k: number) => path(([[0, 62], [k * 40, 56], [k * 80, 22], [k * 100, 40], [k * 60, 110]] as P[]).map(tx));
  const [px, py] = tx([0, 60]);
  const buttons = [90, 130].map((y) => `<circle cx="${px}" cy="${tx([0, y])[1]}" r="${5 * s}" fill="#eee"/>`).join('');
  return `<rect x="${px - 14 * s}" y="${py}" width="${28 * s}" height="${100 * s}" fill="#000" fill-opacity="0.12"/>${buttons}
    <path d="${wing(1)}" fill="#256d2a" stroke="#0c3b10" stroke-width="2"/><path d="${wing(-1)}" fill="#256d2a" stroke="#0c3b10" stroke-width="2"/>`;
};

const specs: Spec[] = [
  { name: 'tee-print', category: 'top', half: tee, centre: { neck_front: [0, 70] }, width: 768, height: 1024, bg: ['#fafafa', '#f1f1f1'], fill: ['#3b6fb6', '#2f5e9e'], decor: teePrint },
  { name: 'longsleeve-stripes', category: 'top', half: longSleeve, centre: { neck_front: [0, 66] }, width: 800, height: 1066, bg: ['#e9e9ea', '#dfdfe0'], fill: ['#f7f7f7', '#ececec'], stripes: '#1f2a44' },
  { name: 'tank-straps', category: 'top', half: tank, centre: { neck_front: [0, 104], neck_left: [66, 40], neck_right: [-66, 40] }, holes: [tankHole], width: 768, height: 1024, bg: ['#fbfbfb', '#f3f3f3'], fill: ['#e8705a', '#d65f4a'] },
  { name: 'polo-logo', category: 'top', half: tee, centre: { neck_front: [0, 70] }, width: 720, height: 960, bg: ['#e6e6e6', '#dcdcdc'], fill: ['#2e7d32', '#276c2b'], decor: poloDecor, trim: poloCollar },
  { name: 'dress', category: 'dress', half: dress, width: 768, height: 1024, bg: ['#ffffff', '#f4f4f4'], fill: ['#8e1b3a', '#74142f'] },
  { name: 'skirt', category: 'bottom', half: skirt, width: 768, height: 1024, bg: ['#f7f7f5', '#efefed'], fill: ['#4a6d8c', '#3c5a75'] },
  { name: 'trousers', category: 'bottom', half: trousers, centre: { crotch: [0, 300] }, width: 768, height: 1024, bg: ['#e4e4e4', '#d9d9d9'], fill: ['#b59b6d', '#9e8459'] },
  { name: 'ghost-tee', category: 'top', half: ghostTee, centre: { neck_front: [0, 76] }, inner: ghostInner, width: 768, height: 1024, bg: ['#ffffff', '#f6f6f6'], fill: ['#9aa3ad', '#8a939d'] },
  { name: 'flush-longsleeve', category: 'top', half: flushSleeve, centre: { neck_front: [0, 66], armpit_left: [160, 175], armpit_right: [-160, 175] }, width: 768, height: 1024, bg: ['#f4f4f4', '#ebebeb'], fill: ['#e59aa6', '#d98894'], trim: flushSeams },
  { name: 'tie-tee', category: 'top', half: tieTee, centre: { neck_front: [0, 70] }, width: 768, height: 1024, bg: ['#fafafa', '#f0f0f0'], fill: ['#c0392b', '#a93226'] },
  { name: 'white-tee', category: 'top', half: tee, centre: { neck_front: [0, 70] }, width: 768, height: 1024, bg: ['#e3e3e1', '#d8d8d6'], fill: ['#fdfdfb', '#f0f0ee'] },
  { name: 'cutout-tee', category: 'top', half: tee, centre: { neck_front: [0, 70] }, width: 768, height: 1024, bg: ['#fff', '#fff'], fill: ['#c62828', '#a91f1f'], cutout: true },
];

mkdirSync(join(OUT, 'truth'), { recursive: true });
for (const spec of specs) await render(spec);
console.log(`wrote ${specs.length} garments to ${OUT}`);
