// The clothing-agnostic person: old upper-body clothing removed, skin synthesised on the body, background outside it.
import { PARSE_LABELS, type Mask, type ModelAnalysis, type RgbaImage } from '../../types.js';
import { pullPush } from './fill.js';
import { grow } from './raster.js';

const L = PARSE_LABELS;

export interface Agnostic {
  agnostic: RgbaImage;
  old_clothing: Mask;
  filled_skin: Mask;
  filled_background: Mask;
}

/** The old top as parsed, grown by a couple of pixels so its anti-aliased fringe goes with it. */
export function oldClothing(a: ModelAnalysis): Uint8Array {
  const { width: W, height: H } = a;
  const lab = a.parsing.data;
  const top = new Uint8Array(W * H);
  for (let i = 0; i < top.length; i++) top[i] = lab[i] === L.torso_clothing ? 1 : 0;
  const g = grow(top, W, H, Math.max(2, Math.round(Math.max(W, H) / 500)));
  // Growing must not eat the face, hair, hands or arms next to the top: only background and fringe.
  for (let i = 0; i < g.length; i++) {
    if (!g[i] || top[i]) continue;
    const l = lab[i]!;
    if (l !== L.background) g[i] = 0;
  }
  return g;
}

export function buildAgnostic(a: ModelAnalysis, body: Uint8Array, old: Uint8Array): Agnostic {
  const { width: W, height: H } = a;
  const n = W * H;
  const lab = a.parsing.data;
  const src = a.image.data;
  const rgb = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) { rgb[i * 3] = src[i * 4]!; rgb[i * 3 + 1] = src[i * 4 + 1]!; rgb[i * 3 + 2] = src[i * 4 + 2]!; }
  const skinHole = new Uint8Array(n), bgHole = new Uint8Array(n), skinSrc = new Uint8Array(n), bgSrc = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const l = lab[i]!;
    if (old[i]) { if (body[i]) skinHole[i] = 1; else bgHole[i] = 1; }
    else if (l === L.left_arm || l === L.right_arm || l === L.neck || l === L.torso_skin) skinSrc[i] = 1;
    else if (l === L.background && a.mask.data[i]! < 64) bgSrc[i] = 1;
  }
  const skin = pullPush(rgb, W, H, skinHole, skinSrc);
  const bg = pullPush(rgb, W, H, bgHole, bgSrc);
  const out = new Uint8Array(src);
  const fs = new Uint8Array(n), fb = new Uint8Array(n), oc = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!old[i]) continue;
    oc[i] = 255;
    const f = skinHole[i] ? skin : bg;
    if (skinHole[i]) fs[i] = 255; else fb[i] = 255;
    out[i * 4] = Math.round(f[i * 3]!); out[i * 4 + 1] = Math.round(f[i * 3 + 1]!); out[i * 4 + 2] = Math.round(f[i * 3 + 2]!);
  }
  return {
    agnostic: { width: W, height: H, data: out },
    old_clothing: { width: W, height: H, data: oc },
    filled_skin: { width: W, height: H, data: fs },
    filled_background: { width: W, height: H, data: fb },
  };
}
