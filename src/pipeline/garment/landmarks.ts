// Garment landmarks from the silhouette: neckline, shoulders, armpits, cuffs, waist, crotch, hems, with a score each.
import type { GarmentCategory, Point, RgbaImage, ScoredPoint } from '../types.js';
import type { Defect } from './mask-ops.js';
import { count, offChord, pt, sp, span, walk, type Shape, type UpperSide } from './shape.js';
import { ARMPIT_DEPTH, flushSleeve } from './sleeve-flush.js';

type Marks = Record<string, ScoredPoint>;
/** Image side: +1 = image right = the wearer's left. */
const SIDES = [
  { sgn: 1, name: 'left' },
  { sgn: -1, name: 'right' },
] as const;

/** A sleeve is at least this wide at its cuff, as a share of the shoulder width; a strap or tie is thinner. */
const MIN_SLEEVE_WIDTH = 0.1;

/** `image` (the photo) lets the seam between a flush sleeve and the body be found; without it priors are used. */
export function garmentLandmarks(shape: Shape, category: GarmentCategory, image: RgbaImage | null = null): Marks {
  if (category === 'bottom') return bottomMarks(shape);
  const out: Marks = {};
  const neck = findNeck(shape);
  out.neck_left = neck.left;
  out.neck_right = neck.right;
  if (category === 'top') out.neck_front = neck.front;
  const corners = SIDES.map(({ sgn }) => shoulderCorner(shape, sgn, sgn > 0 ? neck.leftIdx : neck.rightIdx));
  // Straps' corners sit close together: the body's width is a floor.
  const S = Math.max(0.6 * widthOf(shape), Math.abs(pt(shape, corners[0]!).x - pt(shape, corners[1]!).x));
  const ctxs = SIDES.map(({ sgn }, k): SideContext => ({ sgn, neckIdx: sgn > 0 ? neck.leftIdx : neck.rightIdx, cornerIdx: corners[k]!, S, dress: category === 'dress', image }));
  const found = ctxs.map((ctx) => upperSide(shape, ctx));
  // Straps come in pairs: when one side's armhole dents the outline and the other's lies inside the
  // hull (a frill standing out below the strap), the other is an armhole too, not a flush sleeve
  // reaching the hem.
  const strapped = found.some((f) => f.kind === 'sleeveless');
  const sides = found.map((f, k) => (strapped && f.kind === 'flush' ? armholeAlong(shape, ctxs[k]!) : f.side));
  // Both cuffs found on their outer corners: the hems run on slanted towards the armpits, by design
  // (a tee laid flat with its sleeves out). One alone is more likely the cut-out failing on that
  // sleeve (white on white), which a cuff along its broken edge draws ragged: it stays as found.
  if (sides.every((sd) => sd.hemInner)) for (const sd of sides) sd.sleeveInner = sd.hemInner!;
  for (const [k, { sgn, name }] of SIDES.entries()) {
    const side = sides[k]!;
    out[`shoulder_${name}`] = side.shoulder;
    out[`armpit_${name}`] = side.armpit;
    if (category === 'top') {
      out[`sleeve_${name}_outer`] = side.sleeveOuter;
      out[`sleeve_${name}_inner`] = side.sleeveInner;
    }
    const hem = hemCorner(shape, sgn, side);
    out[`hem_${name}`] = hem.point;
    if (category === 'dress') out[`waist_${name}`] = waistPoint(shape, sgn, side.armpitIdx, hem.idx, side.armpit.y);
  }
  if (category === 'top') mirrorCollapsedSleeve(out, (neck.left.x + neck.right.x) / 2, S);
  return out;
}

/**
 * A sleeve's cuff narrower than this share of the other's is collapsed (see mirrorCollapsedSleeve):
 * its corners at one point. A short sleeve's cuff found a tenth as wide (04743) is left as found:
 * mirrored, its hem came out ragged and merchants rated those renders lower.
 */
const COLLAPSED_CUFF = 0.05;

/**
 * One sleeve's cuff found with no width (its outer and inner corners at one point) while the other's
 * is a sleeve's: the outline there is broken (a white stripe cut out with the backdrop splits the
 * sleeve), and its armhole and cuff are guesses. A product photo's two sleeves are mirror images:
 * the good side's shoulder, armpit and cuff are mirrored about the neck's centre line, scored lower.
 */
export function mirrorCollapsedSleeve(out: Marks, cx: number, S: number): void {
  const cuff = (name: string) => {
    const o = out[`sleeve_${name}_outer`], i = out[`sleeve_${name}_inner`];
    return o && i && o.score >= 0.2 ? Math.hypot(o.x - i.x, o.y - i.y) : 0;
  };
  const l = cuff('left'), r = cuff('right');
  const [bad, good] = l < COLLAPSED_CUFF * r ? ['left', 'right'] : r < COLLAPSED_CUFF * l ? ['right', 'left'] : [null, null];
  if (!bad || !good || Math.max(l, r) < MIN_SLEEVE_WIDTH * S) return;
  const keys = [(s: string) => `shoulder_${s}`, (s: string) => `armpit_${s}`, (s: string) => `sleeve_${s}_outer`, (s: string) => `sleeve_${s}_inner`];
  for (const key of keys) {
    const p = out[key(good)];
    if (p) out[key(bad)] = sp({ x: Math.round(2 * cx - p.x), y: p.y }, 0.8 * p.score);
  }
}

interface SideContext {
  sgn: number;
  neckIdx: number;
  /** The outer top corner of this side (see shoulderCorner). */
  cornerIdx: number;
  /** Shoulder width: between the two top corners. */
  S: number;
  dress: boolean;
  image: RgbaImage | null;
}

const height = (s: Shape) => s.box.y1 - s.box.y0 + 1;
const widthOf = (s: Shape) => s.box.x1 - s.box.x0 + 1;

function nearestIdx(s: Shape, p: Point): number {
  let best = 0, bd = Infinity;
  for (let i = 0; i < count(s); i++) {
    const d = (s.contour[2 * i]! - p.x) ** 2 + (s.contour[2 * i + 1]! - p.y) ** 2;
    if (d < bd) (bd = d), (best = i);
  }
  return best;
}

interface Neck {
  left: ScoredPoint;
  right: ScoredPoint;
  front: ScoredPoint;
  leftIdx: number;
  rightIdx: number;
}

/** The neck opening: a dent at the top centre of the outline, or a hole there when a strap closes it. */
function findNeck(s: Shape): Neck {
  const H = height(s), W = widthOf(s), { cx } = s, top = s.box.y0 + 0.3 * H;
  const dent = s.defects.find((d) => {
    const p = pt(s, d.deepest);
    // Centred: the dents between a closed collar and the shoulders are off to the sides. A square
    // neck's flat bottom is deepest anywhere along it, but is as deep at the centre line too.
    const a = pt(s, d.start), b = pt(s, d.end);
    const centred = Math.abs(p.x - cx) < 0.1 * W || flatAcrossCentre(s, d);
    return p.y < top && centred && a.y < top && b.y < top && d.depth > 2;
  });
  const hole = s.holes.find((h) => {
    let mx = 0, my = 0;
    for (const i of h) (mx += i % s.width), (my += (i / s.width) | 0);
    return Math.abs(mx / h.length - cx) < 0.15 * W && my / h.length < s.box.y0 + 0.35 * H && h.length > 0.003 * s.area;
  });
  if (hole && (!dent || dent.depth < 0.02 * H)) {
    let l = -Infinity, r = -Infinity, li = 0, ri = 0, fy = -1;
    const hy0 = Math.min(...Array.from(hole.subarray(0, 50), (i) => (i / s.width) | 0));
    for (const i of hole) {
      const x = i % s.width, y = (i / s.width) | 0;
      if (x - cx - (y - hy0) > l) (l = x - cx - (y - hy0)), (li = i);
      if (cx - x - (y - hy0) > r) (r = cx - x - (y - hy0)), (ri = i);
      if (Math.abs(x - cx) <= 1.5 && y > fy) fy = y;
    }
    const lp = { x: li % s.width, y: (li / s.width) | 0 }, rp = { x: ri % s.width, y: (ri / s.width) | 0 };
    return { left: sp(lp, 0.8), right: sp(rp, 0.8), front: sp({ x: Math.round(cx), y: fy + 1 }, 0.8), leftIdx: nearestIdx(s, { x: lp.x, y: s.box.y0 }), rightIdx: nearestIdx(s, { x: rp.x, y: s.box.y0 }) };
  }
  if (dent) {
    // The neck's corners: where the outline leaves the hull for the opening. On a ghost mannequin the
    // shoulders are rounded and the hull's ends sit far out on them, so go in a little way down.
    const idx = span(s, dent.start, dent.end);
    const A = pt(s, dent.start), B = pt(s, dent.end);
    const depthAt = (i: number) => Math.abs(offChord(A, B, pt(s, i)));
    const lim = 0.06 * dent.depth;
    const first = idx.find((i) => depthAt(i) >= lim) ?? dent.start;
    const last = [...idx].reverse().find((i) => depthAt(i) >= lim) ?? dent.end;
    const a = pt(s, first), b = pt(s, last);
    const [li, ri] = a.x > b.x ? [first, last] : [last, first];
    const score = Math.min(1, dent.depth / (0.04 * H));
    const front = pt(s, dent.deepest);
    return { left: sp(pt(s, li), 0.4 + 0.5 * score), right: sp(pt(s, ri), 0.4 + 0.5 * score), front: sp({ x: Math.round(cx), y: front.y }, 0.3 + 0.6 * score), leftIdx: li, rightIdx: ri };
  }
  // No visible opening (a closed collar): the ends of the top edge.
  let lp = { x: Math.round(cx), y: s.box.y0 }, rp = { ...lp };
  for (let i = 0; i < count(s); i++) {
    const p = pt(s, i);
    if (p.y > s.box.y0 + 0.02 * H || Math.abs(p.x - cx) > 0.3 * W) continue;
    if (p.x > lp.x) lp = p;
    if (p.x < rp.x) rp = p;
  }
  return { left: sp(lp, 0.4), right: sp(rp, 0.4), front: sp({ x: Math.round(cx), y: s.box.y0 + Math.round(0.06 * H) }, 0.1), leftIdx: nearestIdx(s, lp), rightIdx: nearestIdx(s, rp) };
}

/** A dent spanning the centre line whose outline there is within 5% of its deepest. */
function flatAcrossCentre(s: Shape, d: Defect): boolean {
  const A = pt(s, d.start), B = pt(s, d.end);
  if ((A.x - s.cx) * (B.x - s.cx) >= 0) return false;
  let centre = d.deepest;
  for (const i of span(s, d.start, d.end)) if (Math.abs(pt(s, i).x - s.cx) < Math.abs(pt(s, centre).x - s.cx)) centre = i;
  const c = pt(s, centre);
  return Math.abs(offChord(A, B, c)) > 0.95 * d.depth;
}

/**
 * Shoulder, armpit and cuff on one side. The armpit is the deepest dent below the neck on that side,
 * unless that dent is beside a collar, at the end of a strap or tie, or far below where an armpit can be:
 * then the sleeve lies against the body (see sleeve-flush.ts).
 */
function upperSide(s: Shape, c: SideContext): { side: UpperSide; kind: 'sleeveless' | 'sleeve' | 'flush' } {
  const { sgn, neckIdx, dress, S } = c;
  const H = height(s), W = widthOf(s), { cx } = s;
  const neck = pt(s, neckIdx);
  const corner = pt(s, c.cornerIdx);
  const cands = s.defects.filter((d) => {
    const p = pt(s, d.deepest);
    // Beyond the neck opening sideways: dents beside a collar are not armpits.
    // One side only (not the dent from cuff to cuff), out past the neck, in the upper part.
    const a = pt(s, d.start), b = pt(s, d.end);
    if ((a.x - cx) * sgn < 0 || (b.x - cx) * sgn < 0) return false;
    return (p.x - cx) * sgn > Math.max(0.05 * W, 0.75 * Math.abs(neck.x - cx)) && p.y > neck.y + 0.03 * H && p.y < s.box.y0 + 0.65 * H && d.depth > 0.01 * H;
  });
  const maxDepth = Math.max(0, ...cands.map((d) => d.depth));
  // A dress's waist can dent deeper than its armhole: there take the highest real dent. A top's waist
  // is shallow, and wrinkles along a sleeve dent a little: there take the deepest.
  const ordered = dress
    ? cands.filter((d) => d.depth > 0.15 * maxDepth).sort((a, b) => pt(s, a.deepest).y - pt(s, b.deepest).y)
    : cands.sort((a, b) => b.depth - a.depth);
  const lowest = corner.y + 0.72 * S;
  const flush = () => ({ side: flushSleeve(s, sgn, c.cornerIdx, bottomIdx(s), S, c.image), kind: 'flush' as const });
  const sleeve = (side: UpperSide) => ({ side, kind: 'sleeve' as const });
  for (const main of ordered) {
    const upper = pt(s, sgn > 0 ? main.start : main.end);
    const deep = pt(s, main.deepest);
    // A strap's armhole lies below its top end; a sleeve's dent lies beside the cuff, far out.
    const sleeveless = upper.y < neck.y + 0.12 * H && deep.y - upper.y > 1.2 * Math.max(0, sgn * (upper.x - deep.x));
    if (sleeveless) {
      // An armhole is deep against the shoulders and drops well below the strap; a dent beside a collar does neither.
      if (main.depth < 0.04 * S || deep.y - upper.y < 0.12 * S) continue;
      return { side: sleevelessSide(s, sgn, main, upper, S), kind: 'sleeveless' };
    }
    const side = sleeveSide(s, sgn, neckIdx, main);
    // A hanging strap or tie also leaves a gap beside the body, but it is thin.
    if (Math.min(limbWidth(s, main.start, 0.25 * S), limbWidth(s, main.end, 0.25 * S)) < MIN_SLEEVE_WIDTH * S) continue;
    // A shallow dent along a sleeve's outer edge (a flush sleeve drawn in a little below the shoulder)
    // has no sleeve beyond it: the cuff found collapses onto the dent's top, the 'armpit'.
    if (Math.hypot(side.sleeveOuter.x - side.armpit.x, side.sleeveOuter.y - side.armpit.y) < MIN_SLEEVE_WIDTH * S) continue;
    if (!dress && side.armpit.y > lowest) return flush();
    return sleeve(side);
  }
  if (dress) return sleeve(hangingSleeve(s, sgn, neckIdx) ?? fallbackSide(s, sgn, neckIdx));
  const hang = hangingSleeve(s, sgn, neckIdx);
  if (hang && hang.armpit.y <= lowest) return sleeve(hang);
  return flush();
}

/**
 * A strap's armhole that does not dent the outline (its edge inside the hull): the outline from the
 * strap's top corner down to where armholes end, taken as the dent for the sleeveless finder.
 */
function armholeAlong(s: Shape, c: SideContext): UpperSide {
  const { sgn, S } = c;
  const corner = pt(s, c.cornerIdx);
  const path = walk(s, sgn, c.cornerIdx, bottomIdx(s));
  const end = path.find((i) => pt(s, i).y >= corner.y + 0.75 * S) ?? path[path.length - 1]!;
  const e = pt(s, end);
  let deepest = end, depth = 0;
  for (const i of path) {
    if (i === end) break;
    const p = pt(s, i);
    // Inwards of the chord from the strap's top to the side.
    const d = sgn * offChord(corner, e, p);
    if (d > depth) (depth = d), (deepest = i);
  }
  const dent: Defect = sgn > 0 ? { start: c.cornerIdx, end, deepest, depth } : { start: end, end: c.cornerIdx, deepest, depth };
  return sleevelessSide(s, sgn, dent, corner, S);
}

/** Across a protrusion whose tip is the outline point `tip`: the gap between the outline `arc` before and after it. */
function limbWidth(s: Shape, tip: number, arc: number): number {
  const n = count(s), k = Math.max(2, Math.round(arc));
  const a = pt(s, (tip - k + n) % n), b = pt(s, (tip + k) % n);
  return Math.hypot(a.x - b.x, a.y - b.y);
}

/**
 * The armhole curves in and back out; the armpit is its bottom, where the outline turns from running
 * outwards to running down the side: the sharpest such turn, not the widest point (sides flare).
 */
function sleevelessSide(s: Shape, sgn: number, main: Defect, upper: Point, S: number): UpperSide {
  const H = height(s), { cx } = s;
  const deep = pt(s, main.deepest);
  // On past the dent's lower end: when the armhole's bottom is itself a hull corner, the turn down the
  // side lies beyond the dent (the rows walked are bounded below).
  const path = walk(s, sgn, sgn > 0 ? main.start : main.end, bottomIdx(s));
  const L = Math.max(4, Math.round(0.03 * H));
  const down = (a: Point, b: Point) => (b.y - a.y) / (Math.hypot(b.x - a.x, b.y - a.y) || 1);
  const out = (a: Point, b: Point) => (sgn * (b.x - a.x)) / (Math.hypot(b.x - a.x, b.y - a.y) || 1);
  let best = main.deepest, bv = -Infinity;
  for (let k = 0; k < path.length; k++) {
    const p = pt(s, path[k]!);
    if (p.y > Math.max(deep.y + 0.25 * H, upper.y + 0.75 * S)) break;
    // Past the strap's own top corner, not far below where armholes end.
    if (p.y < upper.y + 0.12 * S || p.y > upper.y + 0.75 * S) continue;
    const a = pt(s, path[Math.max(0, k - L)]!), b = pt(s, path[Math.min(path.length - 1, k + L)]!);
    // Turning from outwards (before) to downwards (after); never inwards after.
    const v = down(p, b) - down(a, p) + 0.5 * out(a, p) - Math.max(0, -out(p, b)) - (0.8 * Math.abs(p.y - upper.y - ARMPIT_DEPTH * S)) / S;
    if (v > bv + 1e-3) (bv = v), (best = path[k]!);
  }
  const shoulder = sp(upper, 0.75);
  const armpit = sp(pt(s, best), 0.45 + 0.4 * Math.min(1, main.depth / (0.03 * H)) * Math.min(1, Math.max(0, bv)));
  return { shoulder, armpit, armpitIdx: best, sleeveOuter: sp(upper, 0.05), sleeveInner: sp(armpit, 0.05), bodyLimit: Infinity };
}

/**
 * The top corner on one side: walking out from the neck, the point farthest above the chord from the
 * neck to the outermost point of the upper half.
 */
function shoulderCorner(s: Shape, sgn: number, neckIdx: number): number {
  const H = height(s), neck = pt(s, neckIdx);
  const path = walk(s, sgn, neckIdx, bottomIdx(s));
  let far = 0;
  path.forEach((i, k) => {
    const p = pt(s, i);
    if (p.y < s.box.y0 + 0.5 * H && sgn * p.x > sgn * pt(s, path[far]!).x) far = k;
  });
  const f = pt(s, path[far]!);
  let best = path[0]!, bd = 0;
  for (let k = 0; k <= far; k++) {
    const p = pt(s, path[k]!);
    // Positive above-outside the chord (image y is down).
    const d = sgn * offChord(neck, f, p);
    if (-d > bd) (bd = -d), (best = path[k]!);
  }
  return best;
}

/** The lowest outline point near the centre line: where the two sides' walks end. */
function bottomIdx(s: Shape): number {
  let bottom = 0, by = -1;
  for (let i = 0; i < count(s); i++) {
    const p = pt(s, i);
    if (Math.abs(p.x - s.cx) < 0.1 * widthOf(s) && p.y > by) (by = p.y), (bottom = i);
  }
  return bottom;
}

/** A cuff found narrower than this share of the garment's height is one corner of a hem slanted along the sleeve (see hemEnd). */
const COLLAPSED_HEM = 0.03;
/** Outline points farther than this share of the garment's height off the straight line from the cuff's outer corner to the armpit make a corner. */
const HEM_CORNER = 0.015;
/** Where a hem runs straight on into the armpit, the share of the way from the outer corner put at the cuff's inner corner. */
const HEM_REACH = 0.75;

/**
 * The inner corner of a short sleeve's cuff from the outline walked from the cuff's outer corner to
 * the armpit (`walkToArmpit`): the farthest point off the straight line between them when the outline
 * bends there (the cuff's end, then the underarm edge); when it runs straight, the hem itself goes on
 * into the armpit (a tee laid flat with its sleeves out), and the corner is HEM_REACH of the way along.
 * A walk of one point gives the outer corner back (the cuff stays collapsed).
 * The axis test in sleeveSide finds such a hem as a single point: slanted nearly along the sleeve,
 * only its outer corner is at the sleeve's end, and a cuff of no width drew the hem as a line of
 * backdrop across the arm.
 */
function hemEnd(s: Shape, walkToArmpit: number[], H: number): Point {
  const a = pt(s, walkToArmpit[0]!), b = pt(s, walkToArmpit[walkToArmpit.length - 1]!);
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  let far = a, fd = 0;
  for (const i of walkToArmpit) {
    const p = pt(s, i);
    const d = Math.abs(offChord(a, b, p));
    if (d > fd) (fd = d), (far = p);
  }
  if (fd > HEM_CORNER * H) return far;
  let best = a, bd = Infinity;
  for (const i of walkToArmpit) {
    const p = pt(s, i);
    const d = Math.abs(Math.hypot(p.x - a.x, p.y - a.y) - HEM_REACH * len);
    if (d < bd) (bd = d), (best = p);
  }
  return best;
}

function sleeveSide(s: Shape, sgn: number, neckIdx: number, main: Defect): UpperSide {
  const H = height(s);
  // The armpit is the top of the gap between sleeve and body: with a sleeve hanging close to the
  // body, the dent's deepest point is lower down the flank, but its apex is still the armpit.
  let apex = main.deepest;
  const deep = pt(s, main.deepest);
  const reach = Math.abs(deep.x - s.cx) + 0.03 * widthOf(s);
  for (const i of span(s, main.start, main.end)) {
    const p = pt(s, i);
    if (p.y < pt(s, apex).y - 0.5 && Math.abs(p.x - s.cx) <= reach) apex = i;
  }
  const armpitIdx = Math.abs(pt(s, apex).y - pt(s, main.deepest).y) < 0.3 * H ? apex : main.deepest;
  const armpit = pt(s, armpitIdx);
  const neck = pt(s, neckIdx);
  const seg = walk(s, sgn, neckIdx, armpitIdx);
  // The cuff is the end of the sleeve: farthest along the sleeve's rough axis.
  const dx = sgn / Math.hypot(1, 0.6), dy = 0.6 / Math.hypot(1, 0.6);
  let tip = seg[0]!, tp = -Infinity;
  for (const i of seg) {
    const p = pt(s, i);
    const v = p.x * dx + p.y * dy;
    if (v > tp) (tp = v), (tip = i);
  }
  // Refine the sleeve axis twice: from the armhole's middle to the cuff's middle, so the cuff lies across it.
  let m = { x: (neck.x + armpit.x) / 2, y: (neck.y + armpit.y) / 2 };
  let c = pt(s, tip);
  let outer = c, inner = c, first = 0, maxP = 0;
  for (let it = 0; it < 3; it++) {
    const al = Math.hypot(c.x - m.x, c.y - m.y) || 1;
    const ax = (c.x - m.x) / al, ay = (c.y - m.y) / al;
    // Perpendicular pointing to the top edge (away from the armpit).
    let px = -ay, py = ax;
    if ((neck.x - armpit.x) * px + (neck.y - armpit.y) * py < 0) (px = -px), (py = -py);
    maxP = -Infinity;
    for (const i of seg) maxP = Math.max(maxP, (pt(s, i).x - m.x) * ax + (pt(s, i).y - m.y) * ay);
    let bo = -Infinity, bi = -Infinity, oi = 0, ii = 0;
    seg.forEach((i, k) => {
      const p = pt(s, i);
      const proj = (p.x - m.x) * ax + (p.y - m.y) * ay;
      if (proj < maxP - 0.05 * H) return;
      const perp = (p.x - m.x) * px + (p.y - m.y) * py;
      if (proj + 0.7 * perp > bo) (bo = proj + 0.7 * perp), (oi = k);
      if (proj - 0.7 * perp > bi) (bi = proj - 0.7 * perp), (ii = k);
    });
    // The walk from the neck meets the sleeve's top edge first: the cuff's corner it reaches first is
    // the outer one. The perpendicular's side (towards the neck) gets a hanging sleeve's sides the
    // wrong way round: its axis is nearly parallel to the neck-to-armpit line.
    if (ii < oi) [oi, ii] = [ii, oi];
    first = oi;
    outer = pt(s, seg[oi]!);
    inner = pt(s, seg[ii]!);
    c = { x: (outer.x + inner.x) / 2, y: (outer.y + inner.y) / 2 };
    const shoulderGuess = pt(s, seg[Math.max(0, Math.round(oi / 2))]!);
    m = { x: (shoulderGuess.x + armpit.x) / 2, y: (shoulderGuess.y + armpit.y) / 2 };
  }
  const collapsed = Math.hypot(outer.x - inner.x, outer.y - inner.y) < COLLAPSED_HEM * H;
  // The shoulder is the corner of the top edge between the neck and the cuff.
  const cdx = outer.x - neck.x, cdy = outer.y - neck.y, cl = Math.hypot(cdx, cdy) || 1;
  let nx = -cdy / cl, ny = cdx / cl;
  if (ny > 0) (nx = -nx), (ny = -ny);
  let sh = neckIdx, sd = 0;
  for (const i of seg.slice(0, first + 1)) {
    const p = pt(s, i);
    const d = (p.x - neck.x) * nx + (p.y - neck.y) * ny;
    if (d > sd) (sd = d), (sh = i);
  }
  const sleeveLen = Math.hypot(c.x - m.x, c.y - m.y);
  const cuffScore = 0.5 + 0.4 * Math.min(1, sleeveLen / (0.1 * H));
  return {
    shoulder: sp(pt(s, sh), 0.4 + 0.5 * Math.min(1, sd / (0.02 * H))),
    armpit: sp(armpit, 0.4 + 0.5 * Math.min(1, main.depth / (0.05 * H))),
    armpitIdx,
    sleeveOuter: sp(outer, cuffScore),
    sleeveInner: sp(inner, cuffScore),
    ...(collapsed ? { hemInner: sp(hemEnd(s, seg.slice(first), H), cuffScore) } : {}),
    bodyLimit: Infinity,
  };
}

/**
 * Long sleeves hanging beside the body: the hull runs from cuff to cuff under the garment and both
 * armpits are inside that one dent, each at the top of the gap between sleeve and body.
 */
function hangingSleeve(s: Shape, sgn: number, neckIdx: number): UpperSide | null {
  const H = height(s), W = widthOf(s), { cx } = s;
  const wide = s.defects.find((d) => {
    const a = pt(s, d.start), b = pt(s, d.end);
    return d.depth > 0.2 * H && (a.x - cx) * (b.x - cx) < 0 && a.y > s.box.y0 + 0.5 * H && b.y > s.box.y0 + 0.5 * H;
  });
  if (!wide) return null;
  let apex = -1;
  for (const i of span(s, wide.start, wide.end)) {
    const p = pt(s, i);
    if ((p.x - cx) * sgn > 0.05 * W && (apex < 0 || p.y < pt(s, apex).y)) apex = i;
  }
  if (apex < 0 || pt(s, apex).y > s.box.y0 + 0.65 * H) return null;
  return sleeveSide(s, sgn, neckIdx, { start: apex, end: apex, deepest: apex, depth: wide.depth });
}

function fallbackSide(s: Shape, sgn: number, neckIdx: number): UpperSide {
  const H = height(s), W = widthOf(s);
  const y = Math.round(s.box.y0 + 0.25 * H);
  const x = Math.round(s.cx + sgn * 0.45 * W);
  const idx = nearestIdx(s, { x, y });
  const p = pt(s, idx);
  const sh = pt(s, nearestIdx(s, { x: Math.round(s.cx + sgn * 0.4 * W), y: s.box.y0 }));
  void neckIdx;
  return { shoulder: sp(sh, 0.2), armpit: sp(p, 0.15), armpitIdx: idx, sleeveOuter: sp(sh, 0.05), sleeveInner: sp(p, 0.05), bodyLimit: Infinity };
}

/**
 * Hem corner on one side: the lowest, outermost point of the body's bottom edge. Only rows down to the
 * hem's middle count, where the garment is wide: a tie or strap hanging lower is thin, and a sleeve
 * lying beside the body lies beyond the body's limit.
 */
function hemCorner(s: Shape, sgn: number, side: UpperSide): { point: ScoredPoint; idx: number } {
  const { cx, width: w, bin } = s;
  const W = widthOf(s), H = height(s);
  const yb = pt(s, bottomIdx(s)).y;
  const limit = side.bodyLimit + 0.02 * W;
  const wideAt = (p: Point) => {
    let l = p.x, r = p.x;
    const row = p.y * w;
    while (l > 0 && bin[row + l - 1]) l--;
    while (r < w - 1 && bin[row + r + 1]) r++;
    return r - l + 1 >= 0.3 * W;
  };
  let best = side.armpitIdx, bv = -Infinity;
  for (let i = 0; i < count(s); i++) {
    const p = pt(s, i);
    const o = (p.x - cx) * sgn;
    if (o < 0 || p.y <= side.armpit.y || p.y > yb + 0.03 * H || o > limit) continue;
    // Down-and-out at 45°: the corner of a straight hem, and where a curved (shirttail) hem turns from the side.
    const v = p.y + o;
    if (v > bv && wideAt(p)) (bv = v), (best = i);
  }
  return { point: sp(pt(s, best), 0.85), idx: best };
}

function waistPoint(s: Shape, sgn: number, armpitIdx: number, hemIdx: number, armpitY: number): ScoredPoint {
  const H = height(s);
  let best = armpitIdx, bv = Infinity;
  for (const i of walk(s, sgn, armpitIdx, hemIdx)) {
    const p = pt(s, i);
    if (p.y < armpitY + 0.1 * H || p.y > s.box.y0 + 0.6 * H) continue;
    const v = (p.x - s.cx) * sgn;
    if (v < bv) (bv = v), (best = i);
  }
  return sp(pt(s, best), 0.6);
}

function bottomMarks(s: Shape): Marks {
  const { cx } = s, H = height(s), W = widthOf(s);
  const extreme = (sgn: number, up: boolean) => {
    let best = 0, bv = -Infinity;
    for (let i = 0; i < count(s); i++) {
      const p = pt(s, i);
      if ((p.x - cx) * sgn < 0) continue;
      const v = 0.3 * (p.x - cx) * sgn + (up ? -(p.y - s.box.y0) : p.y - s.box.y0);
      if (v > bv) (bv = v), (best = i);
    }
    return pt(s, best);
  };
  const out: Marks = {
    waist_left: sp(extreme(1, true), 0.85),
    waist_right: sp(extreme(-1, true), 0.85),
    hem_left_outer: sp(extreme(1, false), 0.85),
    hem_right_outer: sp(extreme(-1, false), 0.85),
  };
  const crotch = s.defects.find((d) => {
    const p = pt(s, d.deepest);
    return Math.abs(p.x - cx) < 0.12 * W && p.y > s.box.y0 + 0.2 * H && d.depth > 0.1 * H;
  });
  if (crotch) {
    // Inner hem corners: the lowest points of each leg nearest the middle, between the legs' outer corners.
    const inner = (sgn: number) => {
      let best = crotch.deepest, bv = -Infinity;
      for (const i of span(s, crotch.start, crotch.end)) {
        const p = pt(s, i);
        if ((p.x - cx) * sgn <= 0) continue;
        const v = p.y - 0.3 * Math.abs(p.x - cx);
        if (v > bv) (bv = v), (best = i);
      }
      return pt(s, best);
    };
    const score = 0.5 + 0.4 * Math.min(1, crotch.depth / (0.3 * H));
    out.crotch = sp(pt(s, crotch.deepest), score);
    out.hem_left_inner = sp(inner(1), score);
    out.hem_right_inner = sp(inner(-1), score);
  } else {
    // A skirt has no legs: the inner hem points and the crotch collapse to the hem's middle.
    const mid = { x: Math.round(cx), y: s.box.y1 };
    out.crotch = sp(mid, 0.05);
    out.hem_left_inner = sp(mid, 0.05);
    out.hem_right_inner = sp(mid, 0.05);
  }
  return out;
}
