// The clothing-agnostic person: old upper-body clothing removed, skin synthesised on the body, background outside it.
import { PARSE_LABELS, type Mask, type ModelAnalysis, type RgbaImage } from '../../types.js';
import { boxBlur } from '../../composite/guided-filter.js';
import { extentWhere, padBox } from '../../image.js';
import type { BodyOutline } from './body-outline.js';
import { pullPush } from './fill.js';
import { distanceUpTo, grow } from './raster.js';
import { SKIN_SOURCE_LABELS, armRelief, fillArms, fillTorso } from './skin-fill.js';

const L = PARSE_LABELS;

export interface Agnostic {
  agnostic: RgbaImage;
  old_clothing: Mask;
  filled_skin: Mask;
  filled_background: Mask;
  /** Arm pixels drawn under the old top below the shoulder joint (1): in front of the torso, as a photographed arm is. */
  drawn_arms: Uint8Array;
}

/**
 * Fills the old top: inside the body outline with skin (arms continued from their own skin, the
 * torso from the skin tone with the body's shading), outside it with the background carried in
 * from around. `top` is the corrected top, `old` the top with its fringe; `shade` the body's gain.
 */
export function buildAgnostic(a: ModelAnalysis, outline: BodyOutline, top: Uint8Array, old: Uint8Array, shade: Float32Array): Agnostic {
  const { width: W, height: H } = a;
  const n = W * H;
  const body = outline.mask.data;
  const lab = a.parsing.data;
  const src = a.image.data;
  const rgb = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) { rgb[i * 3] = src[i * 4]!; rgb[i * 3 + 1] = src[i * 4 + 1]!; rgb[i * 3 + 2] = src[i * 4 + 2]!; }
  const skinHole = new Uint8Array(n), bgHole = new Uint8Array(n), skinLab = new Uint8Array(n), bgSrc = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const l = lab[i]!;
    if (old[i]) { if (body[i]) skinHole[i] = 1; else bgHole[i] = 1; }
    else if (SKIN_SOURCE_LABELS.has(l) && !top[i]) skinLab[i] = 1;
    else if (l === L.background && a.mask.data[i]! < 64) bgSrc[i] = 1;
  }
  // The backdrop just outside the person's outline is tinted by it (anti-aliasing, a soft mask):
  // taken as a source, it carries that tint into the fill as a halo along the old top's outline.
  const person = new Uint8Array(n);
  for (let i = 0; i < n; i++) person[i] = a.mask.data[i]! >= 64 ? 1 : 0;
  const nearPerson = grow(person, W, H, Math.max(2, Math.round(Math.max(W, H) / 300)));
  for (let i = 0; i < n; i++) if (nearPerson[i]) bgSrc[i] = 0;
  // Skin's own edge pixels mix with the top or the background: take sources from a little inside.
  const skinSrc = grow(skinLab, W, H, -Math.max(1, Math.round(Math.max(W, H) / 600)));
  const out = new Float32Array(rgb);
  const arms = fillArms(a, outline, skinHole, skinSrc, out, bgHole);
  // Old top beside the outline that the arm's own edges claim is arm.
  for (let i = 0; i < n; i++) if (arms.done[i] && bgHole[i]) { bgHole[i] = 0; skinHole[i] = 1; }
  // Where the old sleeve stood out beside the arm's own outline, the backdrop shows.
  for (let i = 0; i < n; i++) if (arms.outside[i]) { skinHole[i] = 0; bgHole[i] = 1; }
  roundShoulders(a, outline, skinHole, bgHole, arms);
  const rest = new Uint8Array(n);
  for (let i = 0; i < n; i++) rest[i] = skinHole[i] && !arms.done[i] ? 1 : 0;
  fillTorso(a, rest, skinSrc, armRelief(a, outline, rest, shade), out, outline.skeleton);
  blendShoulderSeam(out, arms.done, skinHole, rest, skinLab, outline, W, H);
  // A drawn arm's edge pixels beside the backdrop: the arm's colour over the backdrop by the share
  // of the pixel it covers, the backdrop carried in under them too.
  const edge = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!(arms.cover[i]! < 1) || !arms.done[i]) continue;
    const x = i % W, y = (i / W) | 0;
    for (let dy = -1; dy <= 1 && !edge[i]; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx, yy = y + dy;
        if (xx >= 0 && yy >= 0 && xx < W && yy < H && bgHole[yy * W + xx]) { edge[i] = 1; break; }
      }
  }
  const bgFill = new Uint8Array(bgHole);
  for (let i = 0; i < n; i++) if (edge[i]) bgFill[i] = 1;
  const bg = pullPush(rgb, W, H, bgFill, bgSrc);
  const px = new Uint8Array(src);
  const fs = new Uint8Array(n), fb = new Uint8Array(n), oc = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    if (!old[i]) continue;
    oc[i] = 255;
    const f = skinHole[i] ? out : bg;
    if (skinHole[i]) fs[i] = 255; else fb[i] = 255;
    const k = edge[i] ? arms.cover[i]! : 1;
    for (let c = 0; c < 3; c++) px[i * 4 + c] = Math.max(0, Math.min(255, Math.round(f[i * 3 + c]! * k + bg[i * 3 + c]! * (1 - k))));
    // The person mask says how opaque the pixel was; a filled pixel is whole, as skin or as backdrop.
    px[i * 4 + 3] = 255;
  }
  // Skin just below a hem fades from the fill into the photo's own.
  for (let i = 0; i < n; i++) {
    if (old[i] || !arms.done[i]) continue;
    const w = arms.seam[i]!;
    for (let c = 0; c < 3; c++) px[i * 4 + c] = Math.max(0, Math.min(255, Math.round(out[i * 3 + c]! * (1 - w) + src[i * 4 + c]! * w)));
  }
  // A pixel's feather at 768×1024 (two drew a 4–5 px ramp: synthesised shoulders read as soft, painted).
  // Tried once before, when the drawn arms' edges were feathered with it and came out stair-stepped;
  // those are anti-aliased on their own now and left out of it (`edge`).
  featherFillSeam(px, fs, fb, W, H, Math.max(1, Math.round(Math.max(W, H) / 1200)), edge);
  return {
    agnostic: { width: W, height: H, data: px },
    old_clothing: { width: W, height: H, data: oc },
    filled_skin: { width: W, height: H, data: fs },
    filled_background: { width: W, height: H, data: fb },
    drawn_arms: arms.limb,
  };
}

/**
 * Where synthesised skin meets synthesised backdrop the body outline is a hard, pixel-stepped line
 * (the fills are decided per pixel): a short blur across that seam only gives it the soft edge a
 * photographed arm has. Seams near `antialiased` pixels (a drawn arm's edge) are left as they are.
 */
function featherFillSeam(px: Uint8Array, fs: Uint8Array, fb: Uint8Array, W: number, H: number, r: number, antialiased: Uint8Array): void {
  const n = W * H;
  const near = (m: Uint8Array) => {
    const f = new Float32Array(n);
    for (let i = 0; i < n; i++) f[i] = m[i] ? 1 : 0;
    return boxBlur(f, W, H, r);
  };
  const ns = near(fs), nb = near(fb), na = near(antialiased);
  const seam = new Uint8Array(n);
  let any = false;
  // Not across a drawn arm's edge: that is anti-aliased already, and a blur would smear it.
  for (let i = 0; i < n; i++) if ((fs[i] || fb[i]) && ns[i]! > 0 && nb[i]! > 0 && !(na[i]! > 0)) { seam[i] = 1; any = true; }
  if (!any) return;
  const ch = new Float32Array(n);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) ch[i] = px[i * 4 + c]!;
    const b = boxBlur(ch, W, H, r);
    for (let i = 0; i < n; i++) if (seam[i]) px[i * 4 + c] = Math.round(b[i]!);
  }
}

/** Width of the band on each side of the seam between a drawn upper arm and the torso's fill, in shoulder widths. */
const SHOULDER_SEAM = 0.09;

/**
 * Over the shoulder the drawn upper arm (its cross-section carried up from the bare arm, darker at
 * its edges, in the arm's own tone) meets the torso's fill (the skin tone with the body's shading)
 * in a straight line: a tube standing beside a flat board, the "cardboard" shoulders merchants named.
 * A photographed deltoid runs into the shoulder without a seam. Within a band on each side of that
 * seam, above the armpits, each fill's tone and shading turn into the mean over both fills (their
 * fine grain kept), so the seam's step and the arm's dark inner edge fade out; not next to the
 * photo's own skin, which the fills already meet without a step.
 */
function blendShoulderSeam(out: Float32Array, armDone: Uint8Array, skinHole: Uint8Array, torso: Uint8Array, realSkin: Uint8Array, outline: BodyOutline, W: number, H: number): void {
  const sk = outline.skeleton;
  const r = Math.max(3, Math.round(SHOULDER_SEAM * sk.shoulderWidth));
  // Rows down to the armpits, faded over the band's width above them.
  const yEnd = armpitRow(outline);
  if (!(yEnd > 0)) return;
  const rows = Math.min(H, Math.ceil(yEnd));
  // Everything the band reads lies within r of the fills above the armpits: work in that box.
  const fills = extentWhere(W, { x0: 0, y0: 0, x1: W - 1, y1: rows - 1 }, (i) => (!!armDone[i] && !!skinHole[i]) || !!torso[i]);
  if (!fills) return;
  const { x0, y0, x1, y1 } = padBox(fills, r + 1, W, H);
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1, n = bw * bh;
  const at = (j: number) => (y0 + ((j / bw) | 0)) * W + x0 + (j % bw);
  const arm = new Uint8Array(n), tor = new Uint8Array(n), real = new Uint8Array(n);
  for (let j = 0; j < n; j++) {
    const i = at(j);
    arm[j] = armDone[i] && skinHole[i] ? 1 : 0; tor[j] = torso[i] ? 1 : 0; real[j] = realSkin[i] ? 1 : 0;
  }
  const dArm = distanceUpTo(tor, bw, bh, r), dTorso = distanceUpTo(arm, bw, bh, r);
  // Next to the photo's own skin the fills already meet it without a step: the blend fades out there.
  const dReal = distanceUpTo(real, bw, bh, r);
  const weight = new Float32Array(n);
  let any = false;
  for (let j = 0; j < n; j++) {
    const y = y0 + ((j / bw) | 0);
    if (y >= rows) break;
    const d = arm[j] ? dArm[j]! : tor[j] ? dTorso[j]! : Infinity;
    if (!(d < r)) continue;
    weight[j] = (1 - d / r) * Math.max(0, Math.min(1, (yEnd - y) / r)) * Math.min(1, dReal[j]! / r);
    if (weight[j]! > 0) any = true;
  }
  if (!any) return;
  const both = new Float32Array(n), own = [new Float32Array(n), new Float32Array(n)];
  for (let j = 0; j < n; j++) { both[j] = arm[j] || tor[j] ? 1 : 0; own[0]![j] = arm[j]!; own[1]![j] = tor[j]!; }
  const wBoth = boxBlur(both, bw, bh, r), wFine = [boxBlur(own[0]!, bw, bh, 2), boxBlur(own[1]!, bw, bh, 2)];
  const ch = new Float32Array(n), chOwn = [new Float32Array(n), new Float32Array(n)];
  for (let c = 0; c < 3; c++) {
    for (let j = 0; j < n; j++) {
      const v = out[at(j) * 3 + c]!;
      ch[j] = both[j] ? v : 0; chOwn[0]![j] = arm[j] ? v : 0; chOwn[1]![j] = tor[j] ? v : 0;
    }
    const mBoth = boxBlur(ch, bw, bh, r), fine = [boxBlur(chOwn[0]!, bw, bh, 2), boxBlur(chOwn[1]!, bw, bh, 2)];
    for (let j = 0; j < n; j++) {
      const w = weight[j]!;
      const k = arm[j] ? 0 : 1;
      if (w <= 0 || wBoth[j]! < 1e-3 || wFine[k]![j]! < 1e-3) continue;
      const i = at(j);
      // The pixel's grain: itself against its own fill's 5×5 mean.
      const grain = out[i * 3 + c]! - fine[k]![j]! / wFine[k]![j]!;
      out[i * 3 + c] = out[i * 3 + c]! * (1 - w) + (mBoth[j]! / wBoth[j]! + grain) * w;
    }
  }
}

/** Radius of the disc that rounds the synthesised shoulders' outline, in shoulder widths. */
const SHOULDER_ROUND = 0.06;

/** Image row of the armpits: a quarter of the way down the upper arms (the lower of the two). */
function armpitRow(outline: BodyOutline): number {
  const { left, right } = outline.skeleton.arms;
  const at = (u: typeof left.upper) => (u ? u.a.y + 0.25 * (u.b.y - u.a.y) : -Infinity);
  return Math.max(at(left.upper), at(right.upper));
}

/**
 * The old top's outline over the shoulders is fabric's, not the body's: its corners (a dropped
 * shoulder's, or where the drawn arm's round top meets the torso's fill below the old top's shoulder
 * line) filled with skin stood as square steps against the backdrop. Above the armpits the person's
 * silhouette after the fill is opened with a disc (a square below 7 px; convex corners rounded); synthesised skin outside
 * the opened silhouette becomes backdrop. The photo's own pixels are never changed.
 */
function roundShoulders(a: ModelAnalysis, outline: BodyOutline, skinHole: Uint8Array, bgHole: Uint8Array, arms: { done: Uint8Array; limb: Uint8Array }): void {
  const { width: W, height: H } = a;
  const yEnd = Math.min(H, Math.round(armpitRow(outline)));
  if (!(yEnd > 0)) return;
  const r = Math.max(3, Math.round(SHOULDER_ROUND * outline.skeleton.shoulderWidth));
  const solid = new Uint8Array(W * H);
  // The person after the fill: the photo's person without its soft rim (synthesised skin on that rim
  // turns backdrop too; counted in, it left the top edge scalloped) and without the backdrop fill.
  for (let i = 0; i < W * H; i++) solid[i] = a.mask.data[i]! >= 64 && !bgHole[i] ? 1 : 0;
  // Opened rows above the armpits need the eroded rows down to r below them, and those the rows r further.
  const eroded = grow(solid, W, H, -r, { x0: 0, y0: 0, x1: W - 1, y1: Math.min(H - 1, yEnd + r) });
  const opened = grow(eroded, W, H, r, { x0: 0, y0: 0, x1: W - 1, y1: yEnd - 1 });
  for (let i = 0; i < yEnd * W; i++) {
    if (!skinHole[i] || opened[i]) continue;
    skinHole[i] = 0; bgHole[i] = 1; arms.done[i] = 0; arms.limb[i] = 0;
  }
}
