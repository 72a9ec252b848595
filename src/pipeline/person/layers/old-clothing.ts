// Which pixels are the old top: the parsed top, plus "skin" that is really the top (skin-coloured fabric, print islands).
import { PARSE_LABELS, type ModelAnalysis, type Point } from '../../types.js';
import { boxBlur } from '../../composite/guided-filter.js';
import { components } from '../../garment/mask-ops.js';
import { nearAny, sureWrists } from '../skeleton.js';
import { ycc } from '../skin.js';
import { grow } from './raster.js';

const L = PARSE_LABELS;
/** Where the person's own skin is sure: the face (from the face mesh) and the hands. */
const SURE_SKIN = new Set<number>([L.face, L.hands]);
/** Labels the colour parsing may have given to a skin-coloured top. */
const MAYBE_TOP = new Set<number>([L.torso_skin, L.left_arm, L.right_arm, L.neck, L.legs]);
/** Highest a waistband sits above the hip joints, in torso lengths (a high waist). */
export const HIGHEST_WAIST = 0.33;

/**
 * Labels with the old top corrected: a torso_skin pixel whose chroma is nearer the top's than the
 * person's own skin (face, neck, arms, hands) is fabric, and so is a small skin island the top
 * surrounds (a print's light patch). A skin-coloured top otherwise leaves the old top in place.
 */
export function correctedTop(a: ModelAnalysis): Uint8Array {
  const { width: W, height: H } = a;
  const n = W * H;
  const lab = a.parsing.data, img = a.image.data;
  const cb = new Float32Array(n), cr = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const [, b, r] = ycc(img[i * 4]!, img[i * 4 + 1]!, img[i * 4 + 2]!);
    cb[i] = b; cr[i] = r;
  }
  const sb = boxBlur(cb, W, H, 2), sr = boxBlur(cr, W, H, 2);
  const chroma = [(i: number) => sb[i]!, (i: number) => sr[i]!];
  /** Squared chroma distance of pixel i (smoothed) from a median. */
  const d2 = (i: number, m: number[]) => (sb[i]! - m[0]!) ** 2 + (sr[i]! - m[1]!) ** 2;
  const skin = medianOf(n, (i) => SURE_SKIN.has(lab[i]!), chroma);
  const top = medianOf(n, (i) => lab[i] === L.torso_clothing, chroma);
  const lower = medianOf(n, (i) => lab[i] === L.lower_clothing, chroma);
  const k = a.pose.keypoints;
  // Legs are only suspect down to below the hips (a long top's hem).
  const hemY = Math.max(k.left_hip.y, k.right_hip.y) + 0.3 * a.measurements.torso_length;
  // Below here the parsing's top may reach into the lower clothing's waistband.
  const waistY = (k.left_hip.y + k.right_hip.y) / 2 - 0.25 * a.measurements.torso_length;
  // Trousers and skirts reach the natural waist at most: "lower clothing" above this is the top (a
  // dark top over dark jeans, which colour alone cannot part).
  const highestLower = (k.left_hip.y + k.right_hip.y) / 2 - HIGHEST_WAIST * a.measurements.torso_length;
  // Below that, a plain top goes on down to its hem over the lower clothing (its sleeves beside it too).
  const plain = plainTopReach(a, highestLower);
  // An arm's outline against the backdrop is a mix of skin and backdrop, its chroma washed out towards
  // a pale top's: that is the arm's edge, not fabric.
  const outside = new Uint8Array(n);
  for (let i = 0; i < n; i++) outside[i] = a.mask.data[i]! < 128 ? 1 : 0;
  const armEdge = grow(outside, W, H, Math.max(2, Math.round(a.measurements.shoulder_width / 60)));
  const ms = a.measurements;
  const shoulderZone = Math.max(ms.shoulder_left.y, ms.shoulder_right.y) + SHOULDER_ZONE * ms.shoulder_width;
  const isTop = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const l = lab[i]!;
    if (l === L.torso_clothing) {
      // Fabric far nearer the lower clothing's colour there is the waistband, not the top: left as it
      // is, not filled with skin.
      if (top && lower && i >= waistY * W) {
        const dl = d2(i, lower);
        const dt = d2(i, top);
        if (dl * 4 < dt && dt > 100) continue;
      }
      // Skin by the neck and over the shoulders that the parsing gave to the top (the neckline's
      // edge): of the skin's colour (a mix of a bright top with the backdrop is not) and far nearer
      // it than the top's, it is skin, not filled as backdrop.
      if (skin && top && i < shoulderZone * W) {
        const ds = d2(i, skin);
        const dt = d2(i, top);
        if (ds < SKIN_CHROMA ** 2 && ds * 4 < dt) continue;
      }
      isTop[i] = 1;
    }
    else if (l === L.lower_clothing && (i < highestLower * W || (plain !== null && i < plain * W))) isTop[i] = 1;
    else if (l === L.lower_clothing && top && lower && i < hemY * W) {
      // The parsing's trousers reach up into a long top's hem: fabric far nearer the top's colour is the top.
      const dl = d2(i, lower);
      const dt = d2(i, top);
      if (dt * 4 < dl && dl > 100) isTop[i] = 1;
    }
    else if (MAYBE_TOP.has(l) && skin && top && (l !== L.legs || i < hemY * W) && !((l === L.left_arm || l === L.right_arm) && armEdge[i])) {
      const ds = d2(i, skin);
      const dt = d2(i, top);
      if (dt < ds) isTop[i] = 1;
    }
  }
  absorbIslands(isTop, lab, W, H);
  dropSpecks(isTop, W, H, Math.max(8, SPECK * a.measurements.shoulder_width ** 2), lab);
  dropLimbIslands(isTop, lab, W, H, LIMB_ISLAND * a.measurements.shoulder_width ** 2);
  dropThinRuns(isTop, lab, W, H, Math.max(2, Math.round(SLIVER * a.measurements.shoulder_width)), Math.max(0, Math.round(waistY)), sureWrists(a.pose), WRIST_REACH * a.measurements.shoulder_width);
  absorbEnclaves(isTop, lab, W, H, ENCLAVE * a.measurements.shoulder_width ** 2);
  return isTop;
}

/** Rows down to this far below the lower shoulder point (shoulder widths) where top-labelled skin is taken back as skin. */
const SHOULDER_ZONE = 0.1;
/** Furthest from the skin's median chroma (Cb, Cr units, smoothed) such a pixel may be. */
const SKIN_CHROMA = 14;

/**
 * Largest patch of another label inside the top, all round it the top, taken as the top's, in
 * shoulder widths squared: a few pixels of the sleeve that the parsing called arm were left as they
 * were in the photo, a dark dash on the arm drawn over the sleeve.
 */
const ENCLAVE = 0.004;

/** Components of non-top pixels (not backdrop) that the top encloses on every side, up to `maxArea` pixels, become top. */
function absorbEnclaves(isTop: Uint8Array, lab: Uint8Array, W: number, H: number, maxArea: number): void {
  const other = new Uint8Array(W * H);
  for (let i = 0; i < other.length; i++) other[i] = !isTop[i] && lab[i] !== L.background ? 1 : 0;
  const { labels, sizes } = components(other, W, H);
  // A component touching the image's edge or the backdrop is not enclosed.
  const open = new Uint8Array(sizes.length);
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (!c || open[c]) continue;
    const x = i % W;
    if (x === 0 || x === W - 1 || i < W || i >= labels.length - W) { open[c] = 1; continue; }
    for (const j of [i - 1, i + 1, i - W, i + W]) if (!isTop[j] && lab[j] === L.background) open[c] = 1;
  }
  for (let i = 0; i < labels.length; i++) {
    const c = labels[i]!;
    if (c && !open[c] && sizes[c]! <= maxArea) isTop[i] = 1;
  }
}

/** Labels around a fragment of the old top that say it is off the body (the backdrop, or the top itself). */
const OFF_BODY = new Set<number>([L.background, L.torso_clothing]);
/** Greatest difference (luma levels) of a row's mean from a plain top's before the row is past its hem. */
const PLAIN_ROW_TOL = 2.5;
/** Consecutive rows past that tolerance that end the top: its hem line, not a crease. */
const PLAIN_END_ROWS = 3;

/**
 * A plain top over lower clothing of nearly its colour (a navy top over dark jeans) is told from it
 * by neither colour nor the parsing, but by its evenness: row by row across the torso's middle, the
 * top keeps the luma it has above the highest waist, and the hem is the first few rows that leave it
 * (its shadow line, then the jeans' texture). Where the rows above that line are even (a plain top;
 * a print or stripes end the search at once), the row where the top ends; else null.
 */
function plainTopReach(a: ModelAnalysis, from: number): number | null {
  const { width: W, height: H } = a;
  const img = a.image.data, lab = a.parsing.data;
  const k = a.pose.keypoints, T = a.measurements.torso_length;
  const cx = (k.left_hip.x + k.right_hip.x) / 2;
  const half = 0.3 * a.measurements.shoulder_width;
  const rowMean = (y: number, keep: (l: number) => boolean) => {
    let s = 0, c = 0;
    for (let x = Math.max(0, Math.round(cx - half)); x <= Math.min(W - 1, cx + half); x++) {
      const i = y * W + x;
      if (a.mask.data[i]! < 128 || !keep(lab[i]!)) continue;
      s += 0.299 * img[i * 4]! + 0.587 * img[i * 4 + 1]! + 0.114 * img[i * 4 + 2]!;
      c++;
    }
    return c >= half ? s / c : NaN;
  };
  // The top's own rows just above: their mean, and how much it varies (a print varies a lot).
  const y0 = Math.max(0, Math.round(from - 0.1 * T)), y1 = Math.round(from);
  const ref: number[] = [];
  for (let y = y0; y < y1; y++) {
    const m = rowMean(y, (l) => l === L.torso_clothing || l === L.lower_clothing);
    if (!Number.isNaN(m)) ref.push(m);
  }
  if (ref.length < 0.05 * T) return null;
  const mean = ref.reduce((s, v) => s + v, 0) / ref.length;
  if (ref.some((v) => Math.abs(v - mean) > PLAIN_ROW_TOL)) return null;
  const end = Math.min(H - 1, Math.round((k.left_hip.y + k.right_hip.y) / 2 + 0.1 * T));
  let off = 0;
  for (let y = y1; y <= end; y++) {
    const m = rowMean(y, (l) => l === L.torso_clothing || l === L.lower_clothing);
    off = Number.isNaN(m) || Math.abs(m - mean) > PLAIN_ROW_TOL ? off + 1 : 0;
    if (off >= PLAIN_END_ROWS) return y - off + 1 > y1 ? y - off + 1 : null;
  }
  return null;
}

/** Largest "top" island inside a hand or arm that is taken for the limb's own shadow, shoulder widths squared. */
const LIMB_ISLAND = 0.005;

/** Half the width, in shoulder widths, up to which a run of the top beside an arm below the waist is a sliver. */
const SLIVER = 0.012;
/** Distance from a wrist, in shoulder widths, within which a thin run of the top by the hand is its cuff. */
const WRIST_REACH = 0.15;

/**
 * Thin runs of the top beside an arm or in the lower clothing below the waist (rows from `fromRow`)
 * and below the top's own hem: the shadow between a hanging arm and the lower clothing, or the
 * trousers' seams, that the parsing called the top. Filled as backdrop, the shadow drew a pale line
 * down the arm's edge to the hand. Runs narrower than 2r + 1 (an opening) are dropped; beside a bare
 * arm or hand (no sleeve can be there) runs narrower than 3 × (2r + 1). A wrist keeps its cuff (a
 * thin run by the hand) only when its forearm shows no bare skin around it.
 */
export function dropThinRuns(isTop: Uint8Array, lab: Uint8Array, W: number, H: number, r: number, fromRow: number, wrists: Point[], wristR: number): void {
  const opened = grow(grow(isTop, W, H, -r), W, H, r);
  const arm = new Uint8Array(W * H), hand = new Uint8Array(W * H), lower = new Uint8Array(W * H);
  for (let i = 0; i < arm.length; i++) {
    arm[i] = lab[i] === L.left_arm || lab[i] === L.right_arm ? 1 : 0;
    hand[i] = lab[i] === L.hands ? 1 : 0;
    lower[i] = lab[i] === L.lower_clothing ? 1 : 0;
  }
  // Beside the hand too, but not at the wrist: a long sleeve's cuff is a thin run of the top there,
  // and it is the top. Inside the lower clothing, a thin run is its own seam or fold (a fly, a
  // pocket's edge): filled with skin, it drew skin-coloured lines across the trousers.
  const [nearArm, nearHand, nearLower] = [grow(arm, W, H, r + 1), grow(hand, W, H, r + 1), grow(lower, W, H, r + 1)];
  // Only below the top's lowest row (its hem or cuffs): above it, a thin run beside the arm is the top's side.
  // (The lowest row holding a tenth of the widest row's top: a dark patch by a hand is not the hem.)
  const rows = new Int32Array(H);
  for (let i = 0; i < W * H; i++) if (opened[i]) rows[(i / W) | 0]!++;
  const widest = Math.max(...rows);
  let hem = H - 1;
  while (hem >= 0 && rows[hem]! < Math.max(2 * r + 2, 0.1 * widest)) hem--;
  // A cuff needs a sleeve: a wrist whose forearm shows bare skin around it has none.
  const sleeved = wrists.filter((p) => {
    let n = 0, bare = 0;
    for (let y = Math.max(0, Math.floor(p.y - wristR)); y <= Math.min(H - 1, p.y + wristR); y++) {
      for (let x = Math.max(0, Math.floor(p.x - wristR)); x <= Math.min(W - 1, p.x + wristR); x++) {
        if ((x - p.x) ** 2 + (y - p.y) ** 2 > wristR * wristR) continue;
        n++;
        if (arm[y * W + x]) bare++;
      }
    }
    return bare < BARE_WRIST * n;
  });
  const atWrist = (i: number) => nearAny(sleeved, i % W, (i / W) | 0, wristR);
  // Beside a bare arm or hand no sleeve can be: runs up to a few times as wide there are the trousers
  // or their shadow too (filled as backdrop, they cut a white gap between the hand and the hip).
  const from = Math.max(fromRow, hem + 1 + 4 * r);
  if (from >= H) return;
  const rw = BESIDE_LIMB * r;
  // Opened from twice the radius above `from`: a wide run ending just below it stays wide.
  const below = new Uint8Array(W * H), start = Math.max(0, from - 2 * rw - 1) * W;
  below.set(isTop.subarray(start), start);
  const wide = grow(grow(below, W, H, -rw), W, H, rw);
  const limb = new Uint8Array(W * H);
  for (let i = 0; i < limb.length; i++) limb[i] = arm[i] || hand[i] ? 1 : 0;
  // (A run narrower than the opening that touches the limb lies within twice its radius of it.)
  const besideLimb = grow(limb, W, H, 2 * rw + 1);
  // (A few rows below the hem the fringe is still the hem's own shadow, dark beside the garment.)
  for (let i = from * W; i < W * H; i++) {
    if (!isTop[i] || (nearHand[i] && atWrist(i))) continue;
    if ((!opened[i] && (nearArm[i] || nearHand[i] || nearLower[i])) || (!wide[i] && besideLimb[i])) isTop[i] = 0;
  }
}
/** Share of the disc around a wrist that must be bare arm for the forearm to be bare (no cuff there). */
const BARE_WRIST = 0.15;
/** How much wider than a sliver (times its half width) a run beside a bare limb below the hem may be and not be the top. */
const BESIDE_LIMB = 3;
const LIMB = new Set<number>([L.hands, L.left_arm, L.right_arm]);

/**
 * Shadowed creases between fingers, or a hand's shade, fail the skin test and come out as clothing
 * inside the hand; filled as backdrop they were white patches on the hand. A small region of "top"
 * whose border is mostly a hand or arm is the limb.
 */
export function dropLimbIslands(isTop: Uint8Array, lab: Uint8Array, W: number, H: number, max: number): void {
  const seen = new Uint8Array(W * H);
  const stack: number[] = [];
  const comp: number[] = [];
  for (let s = 0; s < isTop.length; s++) {
    if (!isTop[s] || seen[s]) continue;
    comp.length = 0;
    let border = 0, limb = 0;
    stack.push(s);
    seen[s] = 1;
    while (stack.length) {
      const i = stack.pop()!;
      comp.push(i);
      const x = i % W;
      for (const j of [x > 0 ? i - 1 : -1, x < W - 1 ? i + 1 : -1, i >= W ? i - W : -1, i + W < W * H ? i + W : -1]) {
        if (j < 0) continue;
        if (isTop[j]) {
          if (!seen[j]) { seen[j] = 1; stack.push(j); }
        } else {
          border++;
          if (LIMB.has(lab[j]!)) limb++;
        }
      }
    }
    if (comp.length <= max && border > 0 && limb >= LIMB_BORDER * border) for (const i of comp) isTop[i] = 0;
  }
}

/** Share of an island's border that must be limb. */
const LIMB_BORDER = 0.7;

/** Largest lone fragment of "top" (shoulder widths squared) taken for parsing noise. */
const SPECK = 0.0002;

/**
 * Lone fragments of a few pixels (an arm's edge pixel off the skin–backdrop line, a crease) are not
 * the old top: grown and filled, each leaves a pale dot along the arm's outline. With `lab`, a
 * fragment that touches only the backdrop (and the top) is kept: that is a corner of the old sleeve
 * cut off by the mask, and left in place it is a dark dot in the filled backdrop.
 */
export function dropSpecks(isTop: Uint8Array, W: number, H: number, max: number, lab?: Uint8Array): void {
  const seen = new Uint8Array(W * H);
  const stack: number[] = [];
  const comp: number[] = [];
  for (let s = 0; s < isTop.length; s++) {
    if (!isTop[s] || seen[s]) continue;
    comp.length = 0;
    stack.push(s);
    seen[s] = 1;
    let onBody = false;
    while (stack.length) {
      const i = stack.pop()!;
      comp.push(i);
      const x = i % W;
      for (const j of [x > 0 ? i - 1 : -1, x < W - 1 ? i + 1 : -1, i >= W ? i - W : -1, i + W < W * H ? i + W : -1]) {
        if (j < 0) continue;
        if (!isTop[j]) {
          if (lab && !OFF_BODY.has(lab[j]!)) onBody = true;
          continue;
        }
        if (seen[j]) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
    if (comp.length <= max && (!lab || onBody)) for (const i of comp) isTop[i] = 0;
  }
}

/**
 * The old top grown by a couple of pixels into the background, so its anti-aliased fringe goes with
 * it, and by a pixel or so into the skin: the skin's edge pixels are half fabric, and left in place
 * they show as a pale or tinted line along the arm once the skin beside them is filled, or, at the
 * neck, as a dark line round the old neckline that reads as a necklace under every open neckline.
 */
export function oldClothing(a: ModelAnalysis, top: Uint8Array): Uint8Array {
  const { width: W, height: H } = a;
  const lab = a.parsing.data;
  const g = grow(top, W, H, Math.max(2, Math.round(Math.max(W, H) / 500)));
  const skin = grow(top, W, H, Math.max(1, Math.round(Math.max(W, H) / 500)));
  // Beside the lower clothing or the legs the fringe goes only where the pixel is nearer the top's
  // colour than its own label's: a sliver of the old top that the parsing gave to the trousers (or a
  // leg label on the arm beside it) stayed as a line of the old colour beside the new garment.
  const img = a.image?.data;
  const rgb = img ? [0, 1, 2].map((c) => (i: number) => img[i * 4 + c]!) : [];
  // The medians only when a fringe pixel of either label asks for them (most photos have none).
  const medians = new Map<number, number[] | null>();
  const medianOfLabel = (l: number) => {
    if (!medians.has(l)) medians.set(l, medianOf(lab.length, (i) => (l < 0 ? !!top[i] : lab[i] === l && !top[i]), rgb));
    return medians.get(l)!;
  };
  const dist = (p: readonly number[], q: readonly number[]) => Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!);
  const nearerTop = (i: number, l: number) => {
    const own = medianOfLabel(l), topMedian = medianOfLabel(-1);
    if (!own || !topMedian || dist(own, topMedian) <= DISTINCT) return false;
    const px = rgb.map((f) => f(i));
    return dist(px, topMedian) < TOP_NEARER * dist(px, own);
  };
  for (let i = 0; i < g.length; i++) {
    if (!g[i] || top[i]) continue;
    const l = lab[i]!;
    if (l === L.background) continue;
    if (skin[i] && (l === L.left_arm || l === L.right_arm || l === L.torso_skin || l === L.neck)) continue;
    if (skin[i] && img && (l === L.lower_clothing || l === L.legs) && nearerTop(i, l)) continue;
    g[i] = 0;
  }
  return g;
}

/** A fringe pixel beside the lower clothing goes with the top when its distance to the top's median colour is under this share of its distance to its own label's (a half-and-half edge pixel included). */
const TOP_NEARER = 1;
/**
 * Least distance (RGB) between the top's and the lower clothing's median colours for that test: a
 * white top over a white skirt has no colour to tell its fringe by (and taking the skirt's edge
 * changed which of the two the shading map reads folds from).
 */
const DISTINCT = 60;

/** Median of each value over every other pixel where `keep`; null with fewer than 50 such pixels. */
function medianOf(n: number, keep: (i: number) => boolean, values: ((i: number) => number)[]): number[] | null {
  const vs: number[][] = values.map(() => []);
  for (let i = 0; i < n; i += 2) if (keep(i)) values.forEach((f, c) => vs[c]!.push(f(i)));
  if (!vs.length || vs[0]!.length < 50) return null;
  return vs.map((v) => v.sort((p, q) => p - q)[v.length >> 1]!);
}

/** torso_skin components whose border is mostly the top, and small, become top. */
function absorbIslands(isTop: Uint8Array, lab: Uint8Array, W: number, H: number): void {
  const seen = new Uint8Array(W * H);
  const stack = new Int32Array(W * H);
  const comp: number[] = [];
  let topArea = 0;
  for (let i = 0; i < isTop.length; i++) topArea += isTop[i]!;
  for (let s = 0; s < lab.length; s++) {
    if (seen[s] || isTop[s] || lab[s] !== L.torso_skin) continue;
    let sp = 0, border = 0, topBorder = 0;
    comp.length = 0;
    stack[sp++] = s; seen[s] = 1;
    while (sp > 0) {
      const i = stack[--sp]!;
      comp.push(i);
      const x = i % W;
      const nb = [x > 0 ? i - 1 : -1, x < W - 1 ? i + 1 : -1, i - W, i + W];
      for (const j of nb) {
        if (j < 0 || j >= lab.length) continue;
        if (!isTop[j] && lab[j] === L.torso_skin) {
          if (!seen[j]) { seen[j] = 1; stack[sp++] = j; }
        } else {
          border++;
          if (isTop[j]) topBorder++;
        }
      }
    }
    if (border > 0 && topBorder / border >= 0.85 && comp.length < topArea * 0.2) for (const i of comp) isTop[i] = 1;
  }
}
