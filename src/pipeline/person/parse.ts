// Body parsing: each person pixel gets the nearest body part (pose geometry), then skin or clothing by colour.
import { boxBlur } from '../composite/guided-filter.js';
import { extentWhere, maskExtent, padBox, type PixelBox } from '../image.js';
import { grow, growBy } from './layers/raster.js';
import { PARSE_LABELS, type Face, type LabelMap, type Mask, type Point, type RgbaImage } from '../types.js';
import { convexHull, pointInPolygon, segmentDistance, type Segment, type Skeleton } from './skeleton.js';
import { chromaB, chromaR, skinDistance, type SkinModel } from './skin.js';

type Bounds = PixelBox;

const L = PARSE_LABELS;
/** Part ids of the geometric pass. */
const P = { none: 0, head: 1, neck: 2, torso: 3, armL: 4, armR: 5, handL: 6, handR: 7, leg: 8, foot: 9 } as const;
const SKIN_D2 = 9;
/** Chroma distance (Cb/Cr units) from the arms' own skin beyond which a torso pixel is not the same skin. */
const FABRIC_OFFSET = 10;
/**
 * Share of the torso such offset "skin" must fill to be a skin-coloured top. Shading on a bare
 * midriff or chest stays under it (of the torso quad: cgi-model-4's midriff 12%; 00034's pink shirt 76%).
 */
const FABRIC_SHARE = 0.3;
/** isSkin value of a pixel that passed the skin model but is a skin-coloured top's fabric. */
const FABRIC = 2;

export interface Parsing {
  labels: LabelMap;
  armInFront: { left: boolean; right: boolean };
}

/** Labels every pixel of the mask. Work is confined to the mask's bounding box. */
export function parseBody(img: RgbaImage, mask: Mask, sk: Skeleton, face: Face | null, skin: SkinModel): Parsing {
  const { width: W, height: H, data } = img;
  const out = new Uint8Array(W * H);
  const part = new Uint8Array(W * H);
  const isSkin = new Uint8Array(W * H);
  const bb = maskExtent(mask.data, mask.width, mask.height, 128) ?? { x0: 0, y0: 0, x1: -1, y1: -1 };
  const S = sk.shoulderWidth;
  const torsoMargin = 0.15 * S;
  const hull = face ? convexHull(face.landmarks) : null;
  const faceSize = face ? Math.max(face.box.width, face.box.height) : 0;
  const chinY = face ? face.box.y + face.box.height : sk.head.c.y + sk.head.r * 0.6;
  const shoulderY = (sk.shoulderL.y + sk.shoulderR.y) / 2;
  const arms: [Segment | null, number][] = [
    [sk.arms.left.upper, P.armL], [sk.arms.left.lower, P.armL], [sk.arms.left.hand, P.handL],
    [sk.arms.right.upper, P.armR], [sk.arms.right.lower, P.armR], [sk.arms.right.hand, P.handR],
  ];
  const legs = [...sk.legs.left, ...sk.legs.right];
  const shins = [sk.legs.left[1], sk.legs.right[1]].filter((s): s is Segment => !!s);

  // Body geometry varies slowly: decide the part on a grid of about S/80 and colour per pixel.
  const g = Math.max(1, Math.round(S / 80));
  const gw = Math.floor((bb.x1 - bb.x0) / g) + 1;
  const gridPart = new Uint8Array(gw * (Math.floor((bb.y1 - bb.y0) / g) + 1));
  const gridNearFace = new Uint8Array(gridPart.length);
  // Cells holding at least one person pixel: only those need a part (most of the box is backdrop).
  const gridUsed = new Uint8Array(gridPart.length);
  for (let y = bb.y0; y <= bb.y1; y++) {
    const row = Math.floor((y - bb.y0) / g) * gw;
    for (let x = bb.x0; x <= bb.x1; x++) {
      const i = y * W + x;
      if (mask.data[i]! < 128) continue;
      const p = i * 4;
      isSkin[i] = skinDistance(skin, data[p]!, data[p + 1]!, data[p + 2]!) <= SKIN_D2 ? 1 : 0;
      gridUsed[row + Math.floor((x - bb.x0) / g)] = 1;
    }
  }
  // Distances are compared squared and normalised by the feature's radius (d²/r²), same order as d/r.
  const hc = sk.head.c, hr2 = sk.head.r * sk.head.r;
  const neck = flat(sk.neck), neckR2 = sk.neck.r * sk.neck.r;
  const tm2 = torsoMargin * torsoMargin;
  const torso = flatPolygon(sk.torso);
  const hullFlat = hull ? flatPolygon(hull) : null;
  const armSegs = arms.filter((a): a is [Segment, number] => a[0] !== null).map(([s, pid]) => ({ f: flat(s), r2: s.r * s.r, pid }));
  const legSegs = legs.map((s) => ({ f: flat(s), r2: s.r * s.r }));
  const shinSegs = shins.map((s) => ({ f: flat(s), lim2: s.r * 1.5 * (s.r * 1.5) }));
  // Around the face: a cell farther than this from the hull's bounding box is neither in nor near it.
  const near = faceSize * 0.08;
  const hb = hull ? hullBounds(hull, near) : null;
  for (let gy = bb.y0; gy <= bb.y1; gy += g) {
    for (let gx = bb.x0; gx <= bb.x1; gx += g) {
      const x = gx + (g >> 1), y = gy + (g >> 1);
      const gi = ((gy - bb.y0) / g) * gw + (gx - bb.x0) / g;
      if (!gridUsed[gi]) continue;
      const skinHere = isSkin[Math.min(H - 1, y) * W + Math.min(W - 1, x)] === 1;
      let best = ((x - hc.x) * (x - hc.x) + (y - hc.y) * (y - hc.y)) / hr2;
      let id: number = P.head;
      const dn = segDist2(neck, x, y) / neckR2;
      if (dn < best) { best = dn; id = P.neck; }
      const dt = polygonDist2(torso, x, y) / tm2;
      if (dt < best) { best = dt; id = P.torso; }
      for (const a of armSegs) {
        const d = segDist2(a.f, x, y) / a.r2;
        // A bare arm lying over the torso is in front of it: skin near the arm line wins.
        if (d < best || (d < 1 && skinHere && id === P.torso)) { best = d; id = a.pid; }
      }
      // So is a bare forearm or hand hanging beside the thigh: its skin is not the leg's.
      const armSkin = skinHere && (id === P.armL || id === P.armR || id === P.handL || id === P.handR) && best < 1;
      for (const l of legSegs) {
        const d = segDist2(l.f, x, y) / l.r2;
        if (d < best && !armSkin) { best = d; id = P.leg; }
      }
      if (id === P.leg) for (const s of shinSegs) {
        // The last stretch of the shin is ankle and foot: shoes are part of the leg, not clothing.
        if (segT(s.f, x, y) > 0.85 && segDist2(s.f, x, y) < s.lim2) id = P.foot;
      }
      gridPart[gi] = id;
      if ((id === P.head || id === P.neck) && hullFlat !== null && hb !== null) {
        if (x < hb.x0 || x > hb.x1 || y < hb.y0 || y > hb.y1) gridNearFace[gi] = 0;
        else gridNearFace[gi] = insideFlat(hullFlat, x, y) ? 2 : polygonDist2(hullFlat, x, y) < near * near ? 1 : 0;
      }
    }
  }
  for (let y = bb.y0; y <= bb.y1; y++) {
    const row = Math.floor((y - bb.y0) / g) * gw;
    for (let x = bb.x0; x <= bb.x1; x++) {
      const i = y * W + x;
      if (mask.data[i]! < 128) continue;
      part[i] = gridPart[row + Math.floor((x - bb.x0) / g)]!;
    }
  }

  // The base of the neck, on the torso's side of the shoulder line: skin there is neck.
  const neckBase: NeckBase = { y1: shoulderY + sk.torsoLength * 0.1, x: sk.neck.a.x, half: S * 0.3 };
  const tally = tallySkin(img, mask, bb, part, isSkin, shoulderY, sk.torsoLength);
  const fabric = skinColouredTop(tally, skin, S * S * 0.02);
  // A top's hem reaches below the hips into the legs' part; the legs' own skin lies farther down.
  const hemY = Math.max(sk.hipL.y, sk.hipR.y) + sk.torsoLength * 0.3;
  if (fabric) markFabric(img, mask, bb, part, isSkin, fabric, hemY);
  else if (tally.fillsTorso()) markTorsoFabric(mask, bb, part, isSkin, neckBase);

  // Colours of the top and of the lower garment, to split clothing between the waist and the hips.
  const waistY = shoulderY + sk.torsoLength * 0.55;
  const top = meanColour(img, bb, (i, y) => part[i] === P.torso && isSkin[i] !== 1 && y > shoulderY + sk.torsoLength * 0.15 && y < shoulderY + sk.torsoLength * 0.45);
  const low = meanColour(img, bb, (i) => part[i] === P.leg && isSkin[i] === 0);

  for (let y = bb.y0; y <= bb.y1; y++) {
    for (let x = bb.x0; x <= bb.x1; x++) {
      const i = y * W + x;
      if (mask.data[i]! < 128) continue;
      const skinHere = isSkin[i] === 1;
      let label: number = L.background;
      switch (part[i]) {
        case P.head:
        case P.neck: {
          const near = hull !== null ? gridNearFace[Math.floor((y - bb.y0) / g) * gw + Math.floor((x - bb.x0) / g)]! : 0;
          const onNeckLine = Math.abs(x - sk.neck.b.x) < S * 0.22;
          if (near === 2) label = L.face;
          // Neck only on the neck's own column: pale hair falling beside it must stay hair.
          else if (skinHere && y > chinY - faceSize * 0.05 && onNeckLine) label = L.neck;
          // Ears and temples: skin right next to the face outline; farther out it is hair even if pale.
          else if (skinHere && near === 1) label = L.face;
          else if (skinHere && hull === null) label = L.face;
          else if (part[i] === P.neck && y > shoulderY - S * 0.1) label = L.torso_clothing;
          else label = L.hair;
          break;
        }
        case P.torso:
          if (skinHere) label = inNeckBase(neckBase, x, y) ? L.neck : L.torso_skin;
          else if (y > waistY && top && low && closer(img, i, low, top)) label = L.lower_clothing;
          else label = L.torso_clothing;
          break;
        case P.armL:
        case P.armR:
        case P.handL:
        case P.handR:
          // Not skin near an arm is its sleeve (but see lowerBesideArms).
          if (skinHere) label = part[i] === P.armL ? L.left_arm : part[i] === P.armR ? L.right_arm : L.hands;
          else label = L.torso_clothing;
          break;
        case P.leg:
          label = skinHere ? L.legs : isSkin[i] === FABRIC ? L.torso_clothing : L.lower_clothing;
          break;
        case P.foot:
          label = L.legs;
          break;
      }
      out[i] = label;
    }
  }
  if (top && low) lowerBesideArms(img, out, part, bb, S, low, top);
  const outside = outsideOf(mask);
  relabelLimbFringe(img, outside, out, part, bb, S);
  hairAgainstTop(img, mask, out, bb, S, chinY, sk.neck, outside);
  return { labels: { width: W, height: H, data: out }, armInFront: armsInFront(sk) };
}

/**
 * Below where the lower clothing starts across the torso, what shows beside a hanging arm is that
 * lower clothing too (jeans between forearm and hip), not the arm's sleeve: fabric there of the lower
 * clothing's chroma, by a clear margin, is relabelled. Chroma, since the top's mean mixes its light and
 * dark parts and jeans' shading is not a colour. Above that row (a long top, a dress's skirt) the arms'
 * surroundings are the top's.
 */
function lowerBesideArms(img: RgbaImage, out: Uint8Array, part: Uint8Array, bb: Bounds, S: number, low: [number, number, number], top: [number, number, number]): void {
  const W = img.width;
  let from = -1;
  for (let y = bb.y0; y <= bb.y1 && from < 0; y++) {
    let c = 0;
    for (let x = bb.x0; x <= bb.x1; x++) if (part[y * W + x] === P.torso && out[y * W + x] === L.lower_clothing) c++;
    if (c >= 0.15 * S) from = y;
  }
  if (from < 0) return;
  const lb = chromaB(...low), lr = chromaR(...low), tb = chromaB(...top), tr = chromaR(...top);
  const d = img.data;
  for (let y = from; y <= bb.y1; y++) {
    for (let x = bb.x0; x <= bb.x1; x++) {
      const i = y * W + x, p = part[i]!;
      if (out[i] !== L.torso_clothing || (p !== P.armL && p !== P.armR && p !== P.handL && p !== P.handR)) continue;
      const cb = chromaB(d[i * 4]!, d[i * 4 + 1]!, d[i * 4 + 2]!), cr = chromaR(d[i * 4]!, d[i * 4 + 1]!, d[i * 4 + 2]!);
      const dl = (cb - lb) ** 2 + (cr - lr) ** 2, dt = (cb - tb) ** 2 + (cr - tr) ** 2;
      if (dl * 4 < dt) out[i] = L.lower_clothing;
    }
  }
}

/** Colours (a few clusters) learnt for each side of the hair–top boundary. */
const HAIR_TOP_CLUSTERS = 3;
/** Hair within this many neck radii of the neck's line may be its skin. */
const NECK_REACH = 1.2;
/** Share of hair in a 5×5 window under which hair on the neck is a thin line (an edge, not a strand's bundle). */
const THIN_HAIR = 0.5;
/** Person-mask value from which a pixel is wholly the person's (not mixed with the backdrop). */
const SOLID = 240;
/** How much nearer (distance ratio) the other side's colours must be for a pixel to change sides. */
const HAIR_TOP_MARGIN = 1.5;

/**
 * Below the chin, where hair and the top meet, the parts are decided on the grid: hair ends in a
 * staircase over the shoulders (its tips taken for the top, filled in and drawn blocky), and a dark
 * collar next to the hair, or neck skin the skin test missed, is taken for hair (left as a dark band
 * under a new collar, or drawn in front of it as a pale smudge). Each side's colours are learnt where
 * it is sure (the hair above the chin, the top everywhere, the skin the skin test found), as a few
 * clusters in luma and chroma; a pixel next to the other label that is clearly nearer the other
 * side's colours takes its label, and hair on the neck clearly nearer the skin is neck.
 */
export function hairAgainstTop(img: RgbaImage, mask: Mask, out: Uint8Array, bb: Bounds, S: number, chinY: number, neck: Segment, outside = outsideOf(mask)): void {
  const { width: W, height: H, data } = img;
  const feat = (i: number, f: Float64Array) => {
    const r = data[i * 4]!, g = data[i * 4 + 1]!, b = data[i * 4 + 2]!;
    f[0] = 0.5 * (0.299 * r + 0.587 * g + 0.114 * b); f[1] = chromaB(r, g, b); f[2] = chromaR(r, g, b);
  };
  const hairPx: number[] = [], topPx: number[] = [], skinPx: number[] = [];
  const y0 = Math.max(bb.y0, Math.ceil(chinY));
  const reach = Math.max(3, Math.round(S / 20));
  // Sure hair lies inside the person's outline: at its edge, wisps let the backdrop through (and the
  // top's edge there, as grey as that, is not taken for hair either).
  // Every growth below is read only on the hair and within `reach` of it: computed over that box.
  const hairBox = extentWhere(W, bb, (i) => out[i] === L.hair);
  if (!hairBox) return;
  const hb = padBox(hairBox, reach, W, H);
  const [nearOutside, farOutside] = growBy(outside, W, H, [reach, 2 * reach], hb);
  for (let y = bb.y0; y <= bb.y1; y += 2) {
    for (let x = bb.x0; x <= bb.x1; x += 2) {
      const i = y * W + x;
      if (out[i] === L.hair && y < chinY) { if (!nearOutside[i]) hairPx.push(i); }
      else if (out[i] === L.torso_clothing && y >= chinY) topPx.push(i);
      else if (out[i] === L.neck || out[i] === L.torso_skin || out[i] === L.left_arm || out[i] === L.right_arm) skinPx.push(i);
    }
  }
  if (hairPx.length < 100 || topPx.length < 100 || y0 > bb.y1) return;
  const hair = kMeans(hairPx, feat, HAIR_TOP_CLUSTERS), top = kMeans(topPx, feat, HAIR_TOP_CLUSTERS);
  const skin = skinPx.length >= 100 ? kMeans(skinPx, feat, HAIR_TOP_CLUSTERS) : null;
  // The backdrop's colours: where flying hair lets it through, the hair's own clusters hold some of
  // it, and the top's edge against it must not become hair.
  const backPx: number[] = [];
  for (let i = 0; i < W * H; i += 7) if (mask.data[i]! < 16) backPx.push(i);
  const back = backPx.length >= 100 ? kMeans(backPx, feat, HAIR_TOP_CLUSTERS) : null;
  const isHair = new Uint8Array(W * H), isTop = new Uint8Array(W * H);
  for (let y = y0; y <= bb.y1; y++) {
    for (let x = bb.x0; x <= bb.x1; x++) {
      const i = y * W + x;
      if (out[i] === L.hair) isHair[i] = 1;
      else if (out[i] === L.torso_clothing) isTop[i] = 1;
    }
  }
  const nearHair = grow(isHair, W, H, reach, hb), nearTop = grow(isTop, W, H, reach, hb);
  const f = new Float64Array(3);
  const m2 = HAIR_TOP_MARGIN * HAIR_TOP_MARGIN;
  for (let y = y0; y <= Math.min(H - 1, bb.y1); y++) {
    for (let x = bb.x0; x <= bb.x1; x++) {
      const i = y * W + x;
      // Not on the person's outline: a pixel mixed with the backdrop is neither side's colour.
      if ((!(isHair[i] && nearTop[i]) && !(isTop[i] && nearHair[i])) || mask.data[i]! < SOLID) continue;
      feat(i, f);
      const dh = nearest(hair, f), dt = nearest(top, f);
      if (isHair[i] && dt * m2 < dh) out[i] = L.torso_clothing;
      else if (isTop[i] && dh * m2 < dt && !farOutside[i] && (!back || dh < nearest(back, f))) out[i] = L.hair;
    }
  }
  if (!skin) return;
  for (let y = y0; y <= Math.min(H - 1, bb.y1); y++) {
    for (let x = bb.x0; x <= bb.x1; x++) {
      const i = y * W + x;
      if (out[i] !== L.hair || segmentDistance(neck, x, y) > NECK_REACH * neck.r) continue;
      feat(i, f);
      const ds = nearest(skin, f);
      if (ds < nearest(hair, f) && ds * m2 < nearest(top, f)) out[i] = L.neck;
    }
  }
  // What is left of hair on the neck as a line a pixel or two thick is the edge between the neck and
  // a collar (a mix of the two): it goes to whichever of them it is nearer.
  const hairNow = new Float32Array(W * H);
  for (let y = y0; y <= bb.y1; y++) for (let x = bb.x0; x <= bb.x1; x++) if (out[y * W + x] === L.hair) hairNow[y * W + x] = 1;
  const share = boxBlur(hairNow, W, H, 2);
  for (let y = y0; y <= bb.y1; y++) {
    for (let x = bb.x0; x <= bb.x1; x++) {
      const i = y * W + x;
      if (!hairNow[i] || share[i]! >= THIN_HAIR || segmentDistance(neck, x, y) > NECK_REACH * neck.r) continue;
      feat(i, f);
      out[i] = nearest(skin, f) < nearest(top, f) ? L.neck : L.torso_clothing;
    }
  }
}

/** Lloyd's k-means of the pixels' features (k centres, 3 values each), seeded along the first feature's quantiles. */
function kMeans(px: number[], feat: (i: number, f: Float64Array) => void, k: number): Float64Array {
  const n = px.length;
  const fs = new Float64Array(n * 3);
  const f = new Float64Array(3);
  for (let j = 0; j < n; j++) { feat(px[j]!, f); fs.set(f, j * 3); }
  const c = new Float64Array(k * 3);
  // Seeds: the elements of ranks (q + ½)/k·n by the first feature, ties in index order (a stable sort's).
  const keys = new Float64Array(n);
  for (let j = 0; j < n; j++) keys[j] = fs[j * 3]!;
  keys.sort();
  for (let q = 0; q < k; q++) {
    const rank = Math.floor(((q + 0.5) / k) * n);
    const v = keys[rank]!;
    let tie = rank;
    while (tie > 0 && keys[tie - 1] === v) tie--;
    let j = 0;
    for (let seen = tie; ; j++) if (fs[j * 3] === v && seen++ === rank) break;
    c.set(fs.subarray(j * 3, j * 3 + 3), q * 3);
  }
  const sum = new Float64Array(k * 3), cnt = new Float64Array(k);
  for (let it = 0; it < 8; it++) {
    sum.fill(0); cnt.fill(0);
    for (let j = 0; j < n; j++) {
      const f0 = fs[j * 3]!, f1 = fs[j * 3 + 1]!, f2 = fs[j * 3 + 2]!;
      const bq = nearestIndex(c, f0, f1, f2);
      sum[bq * 3] += f0; sum[bq * 3 + 1] += f1; sum[bq * 3 + 2] += f2;
      cnt[bq]++;
    }
    for (let q = 0; q < k; q++) if (cnt[q]! > 0) for (let d = 0; d < 3; d++) c[q * 3 + d] = sum[q * 3 + d]! / cnt[q]!;
  }
  return c;
}

/** Index of the centre nearest to the feature (f0, f1, f2). */
function nearestIndex(c: Float64Array, f0: number, f1: number, f2: number): number {
  let best = Infinity, bq = 0;
  for (let q = 0; q < c.length / 3; q++) {
    const d = (f0 - c[q * 3]!) ** 2 + (f1 - c[q * 3 + 1]!) ** 2 + (f2 - c[q * 3 + 2]!) ** 2;
    if (d < best) { best = d; bq = q; }
  }
  return bq;
}

/** Squared distance from f to the nearest of the centres. */
function nearest(c: Float64Array, f: ArrayLike<number>): number {
  const q = nearestIndex(c, f[0]!, f[1]!, f[2]!);
  return (f[0]! - c[q * 3]!) ** 2 + (f[1]! - c[q * 3 + 1]!) ** 2 + (f[2]! - c[q * 3 + 2]!) ** 2;
}

/** Largest RGB distance from the skin–backdrop mixing line at which a pixel is still a mix of the two. */
const FRINGE_TOL = 40;

/**
 * A bare arm's or hand's outline: its anti-aliased edge pixels, and backdrop the person mask took in
 * beside it, fail the skin test and would be labelled clothing (a sleeve). They then count as the old
 * top, are filled, and leave a ghosted line along every arm. Such a pixel lies within a few pixels of
 * both the limb's skin and the backdrop, and its colour on the line between the two: the half nearer
 * the skin is the limb, the rest backdrop. A real sleeve's colour lies off that line; a sleeve as pale
 * as the backdrop only loses its corner at the cuff.
 */
function relabelLimbFringe(img: RgbaImage, outside: Uint8Array, out: Uint8Array, part: Uint8Array, bb: Bounds, S: number): void {
  const { width: W, height: H, data } = img;
  const n = W * H;
  const reach = Math.max(2, Math.round(S / 25));
  const limbSkin = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const l = out[i]!;
    if (l === L.left_arm || l === L.right_arm || l === L.hands) limbSkin[i] = 1;
  }
  // Only "clothing" on an arm's or a hand's part can change: each side's such pixels are looked at
  // within their own box (the two arms' boxes are far smaller than the person's), the growths and
  // local means computed over it and the margin they reach.
  for (const sideParts of [[P.armL, P.handL], [P.armR, P.handR]] as const) {
    const isLimbPart = (p: number) => p === sideParts[0] || p === sideParts[1];
    const box = extentWhere(W, bb, (i) => out[i] === L.torso_clothing && isLimbPart(part[i]!));
    if (box) relabelFringeIn(data, W, H, out, part, box, isLimbPart, limbSkin, outside, reach);
  }
}

/** 1 outside the person (mask < 128): the backdrop both fringe passes look for. */
function outsideOf(mask: Mask): Uint8Array {
  const out = new Uint8Array(mask.data.length);
  for (let i = 0; i < out.length; i++) out[i] = mask.data[i]! < 128 ? 1 : 0;
  return out;
}

/** relabelLimbFringe over one box: its pixels of "clothing" on the parts isLimbPart picks. */
function relabelFringeIn(data: Uint8Array, W: number, H: number, out: Uint8Array, part: Uint8Array, parts: Bounds, isLimbPart: (p: number) => boolean, limbSkin: Uint8Array, outside: Uint8Array, reach: number): void {
  const nearSkin = grow(limbSkin, W, H, reach, parts), nearOutside = grow(outside, W, H, reach, parts);
  const changes = (i: number) => out[i] === L.torso_clothing && isLimbPart(part[i]!) && !!nearSkin[i] && !!nearOutside[i];
  // The pixels that can change lie near both the skin and the backdrop: only their box is looked at further.
  const box = extentWhere(W, parts, changes);
  if (!box) return;
  // Local means of the skin and of the backdrop, over a window a few times the band's width: summed
  // over the box and a margin of the window (all that a window inside the box reaches).
  const r = reach * 3;
  const crop = padBox(box, r, W, H);
  const cx0 = crop.x0, cy0 = crop.y0, cw = crop.x1 - crop.x0 + 1, ch = crop.y1 - crop.y0 + 1;
  const means = (sel: Uint8Array) => {
    const w = new Float32Array(cw * ch), c = [new Float32Array(cw * ch), new Float32Array(cw * ch), new Float32Array(cw * ch)];
    for (let y = cy0, j = 0; y < cy0 + ch; y++) {
      for (let x = cx0, i = y * W + cx0; x < cx0 + cw; x++, i++, j++) {
        if (!sel[i]) continue;
        w[j] = 1;
        for (let k = 0; k < 3; k++) c[k]![j] = data[i * 4 + k]!;
      }
    }
    return { w: boxBlur(w, cw, ch, r), c: c.map((ch_) => boxBlur(ch_, cw, ch, r)) };
  };
  const sk = means(limbSkin), bg = means(outside);
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      const i = y * W + x, j = (y - cy0) * cw + (x - cx0);
      if (!changes(i)) continue;
      if (sk.w[j]! < 1e-3 || bg.w[j]! < 1e-3) continue;
      let dd = 0, dc = 0, cc = 0;
      const s = [0, 0, 0], d = [0, 0, 0];
      for (let k = 0; k < 3; k++) {
        s[k] = sk.c[k]![j]! / sk.w[j]!;
        d[k] = bg.c[k]![j]! / bg.w[j]! - s[k]!;
        const c = data[i * 4 + k]! - s[k]!;
        dd += d[k]! * d[k]!; dc += d[k]! * c; cc += c * c;
      }
      if (dd < 1) continue;
      const t = Math.max(0, Math.min(1, dc / dd));
      const off2 = cc - 2 * t * dc + t * t * dd;
      if (off2 > FRINGE_TOL * FRINGE_TOL) continue;
      const p = part[i]!;
      out[i] = t >= 0.3 ? L.background : p === P.armL ? L.left_arm : p === P.armR ? L.right_arm : L.hands;
    }
  }
}

/** Chroma centres of the person's own skin and of a skin-coloured top. */
interface SkinAndFabric { skin: [number, number]; fabric: [number, number] }

/**
 * What tells a skin-coloured top: the chroma of the arms' and of the torso's skin-coloured pixels
 * (the torso's as Cb × 256 + Cr), and the skin share of the torso rows (0.1–0.8 torso lengths
 * below the shoulders) and of the chest rows (0.3–0.4).
 */
class SkinTally {
  readonly armB = new Uint32Array(256);
  readonly armR = new Uint32Array(256);
  nArm = 0;
  readonly torso = new Uint32Array(256 * 256);
  nTorso = 0;
  rows = 0;
  rowsSkin = 0;
  chest = 0;
  chestSkin = 0;
  private readonly y0: number;
  private readonly y1: number;
  private readonly c0: number;
  private readonly c1: number;

  constructor(shoulderY: number, torsoLength: number) {
    this.y0 = shoulderY + torsoLength * 0.1; this.y1 = shoulderY + torsoLength * 0.8;
    this.c0 = shoulderY + torsoLength * 0.3; this.c1 = shoulderY + torsoLength * 0.4;
  }

  add(d: Uint8Array, i: number, y: number, part: number, skin: boolean): void {
    if (part === P.torso) {
      this.nTorso++;
      if (y >= this.y0 && y < this.y1) { this.rows++; if (skin) this.rowsSkin++; }
      if (y >= this.c0 && y < this.c1) { this.chest++; if (skin) this.chestSkin++; }
    }
    if (!skin) return;
    const b = Math.round(chromaB(d[i * 4]!, d[i * 4 + 1]!, d[i * 4 + 2]!)), r = Math.round(chromaR(d[i * 4]!, d[i * 4 + 1]!, d[i * 4 + 2]!));
    if (part === P.torso) this.torso[(b << 8) | r]!++;
    else { this.armB[b]!++; this.armR[r]!++; this.nArm++; }
  }

  /**
   * A top of the skin's own colour cannot be told by chroma; by shape it can. Bare torso skin in a
   * frontal photo is a neckline opening above the chest or a midriff band below it; a top's opening
   * leaves the chest rows covered. Skin filling both the chest rows and most of the torso is a
   * skin-coloured top (a bare torso is taken for one too). Skin share of chest / torso rows measured:
   * 00034's pink shirt 85% / 82%; a crop top's midriff (cgi-model-4) 28% / 48%; a deep V (cgi-model-9) 14% chest.
   */
  fillsTorso(): boolean {
    return this.chest > 0 && this.chestSkin >= 0.6 * this.chest && this.rowsSkin >= 0.6 * this.rows;
  }
}

/** The tally over every other pixel of every other row: shares and medians need no more (~1–2 ms). */
function tallySkin(img: RgbaImage, mask: Mask, bb: Bounds, part: Uint8Array, isSkin: Uint8Array, shoulderY: number, torsoLength: number): SkinTally {
  const t = new SkinTally(shoulderY, torsoLength);
  const W = mask.width;
  for (let y = bb.y0; y <= bb.y1; y += 2) {
    for (let x = bb.x0; x <= bb.x1; x += 2) {
      const i = y * W + x;
      const p = part[i]!;
      if (mask.data[i]! >= 128 && (p === P.torso || p === P.armL || p === P.armR)) t.add(img.data, i, y, p, isSkin[i] === 1);
    }
  }
  return t;
}

/**
 * A top close to the person's skin colour passes the face's skin model. The bare arms are a second,
 * better sample of the same skin than a made-up face; when skin-coloured pixels whose chroma is
 * clearly offset from the arms' fill much of the torso, they are a top, and their median is its colour.
 * Null when the torso's skin-coloured pixels are the arms' skin (necklines, midriffs, shading).
 */
function skinColouredTop(t: SkinTally, skin: SkinModel, minArm: number): SkinAndFabric | null {
  // Sleeves hide the arms: then the face's model is the only sample of the skin.
  const own: [number, number] = t.nArm >= minArm ? [histMedian(t.armB, t.nArm), histMedian(t.armR, t.nArm)] : [skin.cb, skin.cr];
  const offB = new Uint32Array(256), offR = new Uint32Array(256);
  let nOff = 0;
  for (let b = 0; b < 256; b++) {
    for (let r = 0; r < 256; r++) {
      const n = t.torso[(b << 8) | r]!;
      if (n === 0 || (b - own[0]) ** 2 + (r - own[1]) ** 2 <= FABRIC_OFFSET * FABRIC_OFFSET) continue;
      offB[b] += n; offR[r] += n; nOff += n;
    }
  }
  if (t.nTorso === 0 || nOff < FABRIC_SHARE * t.nTorso) return null;
  return { skin: own, fabric: [histMedian(offB, nOff), histMedian(offR, nOff)] };
}

/**
 * Skin-coloured pixels of the torso, the arms and the legs above the hem that are nearer the top's
 * chroma than the skin's are the top's fabric: isSkin becomes FABRIC there.
 */
function markFabric(img: RgbaImage, mask: Mask, bb: Bounds, part: Uint8Array, isSkin: Uint8Array, c: SkinAndFabric, hemY: number): void {
  const W = mask.width, d = img.data;
  for (let y = bb.y0; y <= bb.y1; y++) {
    for (let x = bb.x0; x <= bb.x1; x++) {
      const i = y * W + x;
      const p = part[i];
      if (!isSkin[i] || (p !== P.torso && p !== P.armL && p !== P.armR && (p !== P.leg || y > hemY))) continue;
      const b = chromaB(d[i * 4]!, d[i * 4 + 1]!, d[i * 4 + 2]!), r = chromaR(d[i * 4]!, d[i * 4 + 1]!, d[i * 4 + 2]!);
      const ds = (b - c.skin[0]) ** 2 + (r - c.skin[1]) ** 2;
      const df = (b - c.fabric[0]) ** 2 + (r - c.fabric[1]) ** 2;
      if (df < ds) isSkin[i] = FABRIC;
    }
  }
}

/** The base of the neck: rows above y1, within `half` of the neck's column x. */
interface NeckBase { y1: number; x: number; half: number }

function inNeckBase(n: NeckBase, x: number, y: number): boolean {
  return y < n.y1 && Math.abs(x - n.x) < n.half;
}

/** Every skin-coloured torso pixel is the top's fabric, except at the base of the neck, where a neckline opening always shows skin. */
function markTorsoFabric(mask: Mask, bb: Bounds, part: Uint8Array, isSkin: Uint8Array, neckBase: NeckBase): void {
  const W = mask.width;
  for (let y = bb.y0; y <= bb.y1; y++) {
    for (let x = bb.x0; x <= bb.x1; x++) {
      const i = y * W + x;
      if (part[i] === P.torso && isSkin[i] === 1 && !inNeckBase(neckBase, x, y)) isSkin[i] = FABRIC;
    }
  }
}

/** Median bin of a 256-bin histogram holding n values. */
function histMedian(h: Uint32Array, n: number): number {
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += h[v]!;
    if (acc * 2 >= n) return v;
  }
  return 255;
}

/** An arm is in front of the torso when its elbow or wrist lies inside the torso quad (shrunk a little). */
export function armsInFront(sk: Skeleton): { left: boolean; right: boolean } {
  const c: Point = { x: sk.torso.reduce((s, p) => s + p.x, 0) / 4, y: sk.torso.reduce((s, p) => s + p.y, 0) / 4 };
  const inner = sk.torso.map((p) => ({ x: c.x + (p.x - c.x) * 0.85, y: c.y + (p.y - c.y) * 0.95 }));
  const inside = (s: Segment | null) => s !== null && pointInPolygon(inner, s.b.x, s.b.y);
  return {
    left: inside(sk.arms.left.upper) || inside(sk.arms.left.lower),
    right: inside(sk.arms.right.upper) || inside(sk.arms.right.lower),
  };
}

/** A segment as numbers for the per-cell loop: start, direction, squared length. */
interface FlatSegment { ax: number; ay: number; vx: number; vy: number; l2: number }

function flat(s: Segment): FlatSegment {
  const vx = s.b.x - s.a.x, vy = s.b.y - s.a.y;
  return { ax: s.a.x, ay: s.a.y, vx, vy, l2: vx * vx + vy * vy };
}

/** Squared distance from (x, y) to the segment. */
function segDist2(s: FlatSegment, x: number, y: number): number {
  const px = x - s.ax, py = y - s.ay;
  let t = s.l2 === 0 ? 0 : (px * s.vx + py * s.vy) / s.l2;
  t = t < 0 ? 0 : t > 1 ? 1 : t;
  const dx = px - t * s.vx, dy = py - t * s.vy;
  return dx * dx + dy * dy;
}

/** Where (x, y) projects on the segment's line: 0 at its start, 1 at its end. */
function segT(s: FlatSegment, x: number, y: number): number {
  return ((x - s.ax) * s.vx + (y - s.ay) * s.vy) / (s.l2 || 1);
}

/** A polygon as coordinate arrays for the per-cell loop. */
interface FlatPolygon { xs: Float64Array; ys: Float64Array }

function flatPolygon(poly: Point[]): FlatPolygon {
  return { xs: Float64Array.from(poly, (p) => p.x), ys: Float64Array.from(poly, (p) => p.y) };
}

/** pointInPolygon on a flat polygon (same crossing test). */
function insideFlat(p: FlatPolygon, x: number, y: number): boolean {
  const { xs, ys } = p;
  const n = xs.length;
  let inside = false;
  for (let i = 0, j = n - 1; i < n; j = i++) {
    const ax = xs[i]!, ay = ys[i]!, bx = xs[j]!, by = ys[j]!;
    if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
  }
  return inside;
}

/** Squared distance from (x, y) to a polygon (0 inside), 0 inside. */
function polygonDist2(p: FlatPolygon, x: number, y: number): number {
  if (insideFlat(p, x, y)) return 0;
  const { xs, ys } = p;
  const n = xs.length;
  let best = Infinity;
  for (let i = 0; i < n; i++) {
    const k = i + 1 === n ? 0 : i + 1;
    const ax = xs[i]!, ay = ys[i]!;
    const vx = xs[k]! - ax, vy = ys[k]! - ay;
    const l2 = vx * vx + vy * vy;
    let t = l2 === 0 ? 0 : ((x - ax) * vx + (y - ay) * vy) / l2;
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    const dx = x - ax - t * vx, dy = y - ay - t * vy;
    const d = dx * dx + dy * dy;
    if (d < best) best = d;
  }
  return best;
}

/** Bounding box of a polygon grown by `pad` on every side. */
function hullBounds(poly: Point[], pad: number): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (const p of poly) {
    if (p.x < x0) x0 = p.x;
    if (p.x > x1) x1 = p.x;
    if (p.y < y0) y0 = p.y;
    if (p.y > y1) y1 = p.y;
  }
  return { x0: x0 - pad, y0: y0 - pad, x1: x1 + pad, y1: y1 + pad };
}

function meanColour(img: RgbaImage, bb: Bounds, keep: (i: number, y: number) => boolean): [number, number, number] | null {
  let r = 0, g = 0, b = 0, n = 0;
  for (let y = bb.y0; y <= bb.y1; y += 2) {
    for (let x = bb.x0; x <= bb.x1; x += 2) {
      const i = y * img.width + x;
      if (!keep(i, y)) continue;
      r += img.data[i * 4]!; g += img.data[i * 4 + 1]!; b += img.data[i * 4 + 2]!; n++;
    }
  }
  return n < 30 ? null : [r / n, g / n, b / n];
}

function closer(img: RgbaImage, i: number, a: [number, number, number], b: [number, number, number]): boolean {
  const d = img.data;
  const da = (d[i * 4]! - a[0]) ** 2 + (d[i * 4 + 1]! - a[1]) ** 2 + (d[i * 4 + 2]! - a[2]) ** 2;
  const db = (d[i * 4]! - b[0]) ** 2 + (d[i * 4 + 1]! - b[1]) ** 2 + (d[i * 4 + 2]! - b[2]) ** 2;
  return da < db;
}

