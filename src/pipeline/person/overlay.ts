// PNG overlays a person can check at a glance: pose, mask, parsing with legend, measurements.
import sharp from 'sharp';
import { KEYPOINT_NAMES, PARSE_LABELS, type ModelAnalysis, type RgbaImage } from '../types.js';

const BONES: [string, string][] = [
  ['left_shoulder', 'right_shoulder'], ['left_shoulder', 'left_elbow'], ['left_elbow', 'left_wrist'],
  ['right_shoulder', 'right_elbow'], ['right_elbow', 'right_wrist'], ['left_shoulder', 'left_hip'],
  ['right_shoulder', 'right_hip'], ['left_hip', 'right_hip'], ['left_hip', 'left_knee'], ['left_knee', 'left_ankle'],
  ['right_hip', 'right_knee'], ['right_knee', 'right_ankle'], ['nose', 'left_eye'], ['nose', 'right_eye'],
  ['left_eye', 'left_ear'], ['right_eye', 'right_ear'],
];

/** Label colours (RGB), indexed by PARSE_LABELS value. */
export const LABEL_COLOURS: [number, number, number][] = [
  [0, 0, 0], [140, 70, 20], [255, 200, 160], [230, 150, 90], [40, 120, 255], [60, 200, 60],
  [200, 60, 200], [255, 240, 0], [0, 200, 200], [20, 40, 140], [255, 110, 110],
];

export async function modelOverlays(a: ModelAnalysis): Promise<Record<string, Buffer>> {
  const { width: W, height: H } = a.image;
  const u = Math.max(2, Math.round(Math.max(W, H) / 400)); // stroke unit that reads at any size
  return {
    'pose.png': await onPhoto(a.image, [svg(W, H, poseSvg(a, u))]),
    'mask.png': await onPhoto(a.image, [tint(a.mask.data, W, H, [0, 255, 80], 0.5), svg(W, H, maskOutline(a, u))]),
    'parsing.png': await onPhoto(a.image, [labelTint(a, 0.65), svg(W, H, legend(u))]),
    'measurements.png': await onPhoto(a.image, [svg(W, H, measureSvg(a, u))]),
  };
}

function scoreColour(s: number): string {
  // red (unsure) → yellow → green (sure)
  const r = s < 0.5 ? 255 : Math.round(255 * (1 - s) * 2);
  const g = s < 0.5 ? Math.round(255 * s * 2) : 255;
  return `rgb(${r},${g},0)`;
}

function poseSvg(a: ModelAnalysis, u: number): string {
  const k = a.pose.keypoints as Record<string, { x: number; y: number; score: number }>;
  const b = a.person_box;
  let s = `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="none" stroke="#00e5ff" stroke-width="${u}" stroke-dasharray="${u * 4},${u * 2}"/>`;
  for (const [p, q] of BONES) {
    const sc = Math.min(k[p]!.score, k[q]!.score);
    s += `<line x1="${k[p]!.x}" y1="${k[p]!.y}" x2="${k[q]!.x}" y2="${k[q]!.y}" stroke="${scoreColour(sc)}" stroke-width="${u * 1.5}" opacity="${0.4 + 0.6 * sc}"/>`;
  }
  for (const n of KEYPOINT_NAMES) {
    const p = k[n]!;
    const fill = n.startsWith('left') ? '#ff3b3b' : n.startsWith('right') ? '#3b7bff' : '#ffffff';
    s += `<circle cx="${p.x}" cy="${p.y}" r="${u * 3}" fill="${fill}" stroke="${scoreColour(p.score)}" stroke-width="${u * 1.5}"/>`;
  }
  s += text(b.x + u * 2, Math.max(b.y - u * 2, u * 10), `${a.pose.network} score ${a.pose.score.toFixed(2)} (red dots: person's left)`, u);
  return s;
}

function maskOutline(a: ModelAnalysis, u: number): string {
  const cover = a.mask.data.reduce((s, v) => s + (v >= 128 ? 1 : 0), 0) / a.mask.data.length;
  return text(u * 4, u * 12, `person mask: ${(cover * 100).toFixed(1)}% of frame`, u);
}

function legend(u: number): string {
  let s = '';
  const names = Object.keys(PARSE_LABELS) as (keyof typeof PARSE_LABELS)[];
  const row = u * 10;
  s += `<rect x="${u * 2}" y="${u * 2}" width="${u * 80}" height="${row * names.length + u * 4}" fill="rgba(0,0,0,0.55)"/>`;
  names.forEach((n, i) => {
    const [r, g, b] = LABEL_COLOURS[PARSE_LABELS[n]]!;
    const y = u * 4 + i * row;
    s += `<rect x="${u * 4}" y="${y}" width="${row * 0.8}" height="${row * 0.8}" fill="rgb(${r},${g},${b})"/>`;
    s += `<text x="${u * 4 + row}" y="${y + row * 0.7}" font-family="sans-serif" font-size="${row * 0.75}" fill="#fff">${n}</text>`;
  });
  return s;
}

function measureSvg(a: ModelAnalysis, u: number): string {
  const m = a.measurements;
  const line = (x1: number, y1: number, x2: number, y2: number, c: string) => `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="${c}" stroke-width="${u * 1.5}"/>`;
  let s = line(m.shoulder_left.x, m.shoulder_left.y, m.shoulder_right.x, m.shoulder_right.y, '#ff00ff');
  s += `<circle cx="${m.shoulder_left.x}" cy="${m.shoulder_left.y}" r="${u * 3}" fill="#ff00ff"/><circle cx="${m.shoulder_right.x}" cy="${m.shoulder_right.y}" r="${u * 3}" fill="#ff00ff"/>`;
  for (const [name, w, c] of [['chest', m.chest, '#00e5ff'], ['waist', m.waist, '#ffe600'], ['hip', m.hip, '#ff8000']] as const) {
    s += line(w.right, w.y, w.left, w.y, c);
    s += text(w.left + u * 3, w.y + u * 3, `${name} ${Math.round(w.width)}px`, u);
  }
  s += text(m.shoulder_left.x + u * 3, m.shoulder_left.y - u * 3, `shoulders ${Math.round(m.shoulder_width)}px`, u);
  if (a.face) {
    const b = a.face.box;
    s += `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="none" stroke="#00ff66" stroke-width="${u}"/>`;
    for (const p of a.face.landmarks) s += `<circle cx="${p.x}" cy="${p.y}" r="${Math.max(1, u * 0.5)}" fill="#00ff66"/>`;
  }
  const v = a.suitability;
  const lines = [`suitable: ${v.suitable ? 'yes' : 'no'} (${v.score.toFixed(2)})  frontal ${v.frontal}  arms clear ${v.arms_clear}  short base layer ${v.base_layer_short}`, ...v.reasons];
  const aw = m.arm_width;
  lines.push(`arm widths L ${fmt(aw.left_upper)}/${fmt(aw.left_lower)}  R ${fmt(aw.right_upper)}/${fmt(aw.right_lower)}  torso ${Math.round(m.torso_length)}px`);
  lines.forEach((l, i) => (s += text(u * 4, a.height - u * 4 - (lines.length - 1 - i) * u * 9, l, u)));
  return s;
}

const fmt = (v: number | null) => (v === null ? '–' : String(Math.round(v)));

function text(x: number, y: number, t: string, u: number): string {
  const esc = t.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<text x="${x}" y="${y}" font-family="sans-serif" font-size="${u * 7}" fill="#fff" stroke="#000" stroke-width="${u * 0.6}" paint-order="stroke">${esc}</text>`;
}

function svg(w: number, h: number, body: string): sharp.OverlayOptions {
  return { input: Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${body}</svg>`) };
}

function tint(alpha: Uint8Array, w: number, h: number, rgb: [number, number, number], strength: number): sharp.OverlayOptions {
  const px = Buffer.alloc(w * h * 4);
  for (let i = 0; i < alpha.length; i++) {
    px[i * 4] = rgb[0]; px[i * 4 + 1] = rgb[1]; px[i * 4 + 2] = rgb[2];
    px[i * 4 + 3] = Math.round(alpha[i]! * strength);
  }
  return { input: px, raw: { width: w, height: h, channels: 4 } };
}

function labelTint(a: ModelAnalysis, strength: number): sharp.OverlayOptions {
  const { width: w, height: h, data } = a.parsing;
  const px = Buffer.alloc(w * h * 4);
  for (let i = 0; i < data.length; i++) {
    const l = data[i]!;
    if (l === 0) continue;
    const c = LABEL_COLOURS[l] ?? [255, 255, 255];
    px[i * 4] = c[0]; px[i * 4 + 1] = c[1]; px[i * 4 + 2] = c[2]; px[i * 4 + 3] = Math.round(255 * strength);
  }
  return { input: px, raw: { width: w, height: h, channels: 4 } };
}

function onPhoto(img: RgbaImage, layers: sharp.OverlayOptions[]): Promise<Buffer> {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: 4 } }).composite(layers).png().toBuffer();
}
