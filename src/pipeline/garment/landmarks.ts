// Garment landmarks from the silhouette: neckline, shoulders, armpits, cuffs, waist, crotch, hems, with a score each.
import type { GarmentCategory, Point, ScoredPoint } from '../types.js';
import type { Defect } from './mask-ops.js';
import { count, pt, span, type Shape } from './shape.js';

type Marks = Record<string, ScoredPoint>;
const sp = (p: Point, score: number): ScoredPoint => ({ x: p.x, y: p.y, score: Math.round(Math.min(1, Math.max(0, score)) * 100) / 100 });
/** Image side: +1 = image right = the wearer's left. */
const SIDES = [
  { sgn: 1, name: 'left' },
  { sgn: -1, name: 'right' },
] as const;

export function garmentLandmarks(shape: Shape, category: GarmentCategory): Marks {
  if (category === 'bottom') return bottomMarks(shape);
  const out: Marks = {};
  const neck = findNeck(shape);
  out.neck_left = neck.left;
  out.neck_right = neck.right;
  if (category === 'top') out.neck_front = neck.front;
  for (const { sgn, name } of SIDES) {
    const side = upperSide(shape, sgn, sgn > 0 ? neck.leftIdx : neck.rightIdx, category === 'dress');
    out[`shoulder_${name}`] = side.shoulder;
    out[`armpit_${name}`] = side.armpit;
    if (category === 'top') {
      out[`sleeve_${name}_outer`] = side.sleeveOuter;
      out[`sleeve_${name}_inner`] = side.sleeveInner;
    }
    const hem = hemCorner(shape, sgn, side.armpitIdx);
    out[`hem_${name}`] = hem.point;
    if (category === 'dress') out[`waist_${name}`] = waistPoint(shape, sgn, side.armpitIdx, hem.idx, side.armpit.y);
  }
  return out;
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
    // Centred: the dents between a closed collar and the shoulders are off to the sides.
    return p.y < top && Math.abs(p.x - cx) < 0.1 * W && pt(s, d.start).y < top && pt(s, d.end).y < top && d.depth > 2;
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
    const len = Math.hypot(B.x - A.x, B.y - A.y) || 1;
    const depthAt = (i: number) => Math.abs((B.x - A.x) * (pt(s, i).y - A.y) - (B.y - A.y) * (pt(s, i).x - A.x)) / len;
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

interface UpperSide {
  shoulder: ScoredPoint;
  armpit: ScoredPoint;
  armpitIdx: number;
  sleeveOuter: ScoredPoint;
  sleeveInner: ScoredPoint;
}

/** Indices walking along the outline from a to b on one side of the garment (outwards from the neck). */
const walk = (s: Shape, sgn: number, a: number, b: number) => (sgn > 0 ? span(s, a, b) : span(s, b, a).reverse());

/** Shoulder, armpit and cuff on one side: the armpit is the deepest dent below the neck on that side. */
function upperSide(s: Shape, sgn: number, neckIdx: number, dress: boolean): UpperSide {
  const H = height(s), W = widthOf(s), { cx } = s;
  const neck = pt(s, neckIdx);
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
  const main = dress
    ? cands.filter((d) => d.depth > 0.15 * maxDepth).sort((a, b) => pt(s, a.deepest).y - pt(s, b.deepest).y)[0]
    : cands.sort((a, b) => b.depth - a.depth)[0];
  if (!main) return hangingSleeve(s, sgn, neckIdx) ?? fallbackSide(s, sgn, neckIdx);
  const upperIdx = sgn > 0 ? main.start : main.end;
  const upper = pt(s, upperIdx);
  const deep = pt(s, main.deepest);
  const sleeveless = upper.y < neck.y + 0.12 * H && Math.abs(upper.x - cx) < Math.abs(deep.x - cx) + 0.06 * W;
  if (sleeveless) {
    // The armhole curves in and back out; the armpit is where it meets the side seam, the widest point below it.
    let best = main.deepest, bx = -Infinity;
    for (const i of walk(s, sgn, main.deepest, sgn > 0 ? main.end : main.start)) {
      const p = pt(s, i);
      if (p.y > deep.y + 0.25 * H) break;
      if ((p.x - cx) * sgn > bx + 0.5) (bx = (p.x - cx) * sgn), (best = i);
    }
    const shoulder = sp(upper, 0.75);
    const armpit = sp(pt(s, best), 0.5 + 0.4 * Math.min(1, main.depth / (0.03 * H)));
    return { shoulder, armpit, armpitIdx: best, sleeveOuter: sp(upper, 0.05), sleeveInner: sp(armpit, 0.05) };
  }
  return sleeveSide(s, sgn, neckIdx, main);
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
    first = oi;
    outer = pt(s, seg[oi]!);
    inner = pt(s, seg[ii]!);
    c = { x: (outer.x + inner.x) / 2, y: (outer.y + inner.y) / 2 };
    const shoulderGuess = pt(s, seg[Math.max(0, Math.round(oi / 2))]!);
    m = { x: (shoulderGuess.x + armpit.x) / 2, y: (shoulderGuess.y + armpit.y) / 2 };
  }
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
  return { shoulder: sp(sh, 0.2), armpit: sp(p, 0.15), armpitIdx: idx, sleeveOuter: sp(sh, 0.05), sleeveInner: sp(p, 0.05) };
}

/** Hem corner on one side: the lowest, outermost point below the armpit. */
function hemCorner(s: Shape, sgn: number, armpitIdx: number): { point: ScoredPoint; idx: number } {
  const { cx } = s;
  let bottom = 0, by = -1;
  for (let i = 0; i < count(s); i++) {
    const p = pt(s, i);
    if (Math.abs(p.x - cx) < 0.1 * widthOf(s) && p.y > by) (by = p.y), (bottom = i);
  }
  let best = armpitIdx, bv = -Infinity;
  for (const i of walk(s, sgn, armpitIdx, bottom)) {
    const p = pt(s, i);
    const v = p.y + 0.3 * (p.x - cx) * sgn;
    if (v > bv) (bv = v), (best = i);
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
