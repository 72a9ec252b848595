// What goes in front of any garment: arms and hands over the torso, hair over the shoulders and chest.
import { PARSE_LABELS, type ModelAnalysis, type RgbaImage } from '../../types.js';
import type { BodyOutline } from './body-outline.js';
import { fillPolygon } from './raster.js';

const L = PARSE_LABELS;

export function frontLayer(a: ModelAnalysis, outline: BodyOutline): RgbaImage {
  const { width: W, height: H } = a;
  const n = W * H;
  const lab = a.parsing.data;
  const torso = new Uint8Array(n);
  fillPolygon(torso, W, H, outline.torso, 1);
  const sk = outline.skeleton;
  const shoulderY = Math.min(sk.shoulderL.y, sk.shoulderR.y) - sk.shoulderWidth * 0.05;
  const out = new Uint8Array(n * 4);
  const img = a.image.data;
  for (let i = 0; i < n; i++) {
    const l = lab[i]!;
    const y = (i / W) | 0;
    const arm = (l === L.left_arm || l === L.right_arm || l === L.hands) && torso[i];
    const hair = l === L.hair && (y > shoulderY || torso[i]);
    if (!arm && !hair) continue;
    out[i * 4] = img[i * 4]!; out[i * 4 + 1] = img[i * 4 + 1]!; out[i * 4 + 2] = img[i * 4 + 2]!;
    out[i * 4 + 3] = a.mask.data[i]!;
  }
  return { width: W, height: H, data: out };
}
