// Where each garment landmark lands on this body: from pose, mask and measurements, keeping the garment's proportions.
import type { RenderOptions } from '../options.js';
import { waistbandRow, waistbandSearch } from '../composite/raise-lower.js';
import { labelRunAcross } from '../image.js';
import { HIGHEST_WAIST } from '../person/layers/old-clothing.js';
import { PARSE_LABELS, type GarmentAnalysis, type KeypointName, type Mask, type ModelAnalysis, type Point } from '../types.js';

/** A sleeve laid along its arm: the cap on the body panel's armhole, the cuff along the arm's centre line. */
export interface SleeveTarget {
  side: 'left' | 'right';
  /** Garment pixels: cap edge (shoulder → armpit) and cuff edge (outer → inner). */
  garment: { capOuter: Point; capInner: Point; cuffOuter: Point; cuffInner: Point };
  /** Model pixels: the cap, exactly the body panel's shoulder and armpit targets (no gap at the armhole). */
  capOuter: Point;
  capInner: Point;
  /** The arm's centre line, model pixels, starting well above the shoulder joint so the cap projects onto it. */
  arm: Point[];
  /** Arc length along `arm` of the cuff's centre. */
  cuffAt: number;
  /** Half the sleeve's width (arm plus ease), per point of `arm`. */
  halfWidth: number[];
  /** Set when a designer moved a cuff target: the cuff lands exactly there. */
  cuff?: { outer: Point; inner: Point };
}

export interface Targets {
  category: GarmentAnalysis['category'];
  /** Named landmark targets in model pixels, after the options (offset, scale, rotation, overrides). */
  points: Record<string, Point>;
  /** The garment landmarks used (analysis with the designer's overrides), garment pixels. */
  landmarks: Record<string, Point>;
  /** Body panel correspondences: garment pixels → model pixels (landmarks plus points along its outline). */
  panel: { garment: Point[]; body: Point[] };
  sleeves: SleeveTarget[];
  /** Model pixels per garment pixel. */
  scale: number;
  /** The model's shoulder width, pixels (the unit of the offset option). */
  shoulderWidth: number;
  /** Tucked: image rows at and below this line of lower clothing go in front of the garment. */
  tuck: boolean;
  /** A bodysuit (see hasBrief): its brief is cut off the body panel. */
  brief: boolean;
  /** How much a top was lengthened to meet the lower clothing (meet_lower), over its own length; 0 when not. */
  lengthened: number;
  /** Why the garment may sit badly (e.g. an arm not found), for the quality report. */
  warnings: string[];
}

const EASE = { slim: 0.02, regular: 0.08, loose: 0.16 } as const;
/** Sleeve width over the arm's: least and most ease by fit. */
const SLEEVE_EASE = { slim: [1.05, 1.2], regular: [1.1, 1.4], loose: [1.2, 1.65] } as const;
/** Front-view width of a tube over its flat width: 2/π. */
const FLAT_TUBE = 2 / Math.PI;
/** How far the hem follows the garment's own (usually straighter, wider) cut rather than the body. */
const OWN_CUT = { slim: 0.15, regular: 0.3, loose: 0.6 } as const;
const MIN_KP = 0.3;
/** Shoulder seam outside the measured shoulder point, in shoulder widths. */
const SEAM_OUT = { slim: 0.03, regular: 0.06, loose: 0.1 } as const;
/** Furthest a sleeve's seam moves out past SEAM_OUT to reach the body's outline, in shoulder widths. */
const SEAM_REACH = 0.08;
/** A flat garment's width over the same garment's width seen from the front on a body (half girth vs. breadth). */
const FLAT_TO_FRONT = 1.3;
/** The widest a sleeveless garment's strap corners may sit, in shoulder widths (measured shoulder points). */
const STRAP_SPAN = { slim: 0.96, regular: 1.0, loose: 1.06 } as const;
/** Widest gap (shoulder widths) between the body panel's side and a sleeve that the side is widened to close. */
const ARM_GAP = 0.15;
/** Between armpit and hem, how much the sides follow the body's waist rather than hang straight. */
const HUG = { slim: 0.75, regular: 0.5, loose: 0.1 } as const;
/** Most a top is lengthened to meet the lower clothing, over its own shoulder-to-hem length. */
const MAX_STRETCH = 0.2;
/** Cuff landmark scores: below the first a cuff is doubted, from the second it is sure. */
const DOUBTFUL_CUFF = 0.35;
const SURE_CUFF = 0.6;
/** Fraction of the way from armpit to hem below which a lengthened top is not stretched. */
const STRETCH_FROM = 0.6;
/** A flat top's armpit span over its shoulder span, when its sleeves stand out from the sides. */
const ARMPIT_OVER_SHOULDER = 0.76;
/** An arm's width seen from the front where nothing measures it, in shoulder widths: upper arm, forearm. */
const UPPER_ARM = 0.2;
const LOWER_ARM = 0.17;
const L = PARSE_LABELS;

const lerp = (a: Point, b: Point, t: number): Point => ({ x: a.x + (b.x - a.x) * t, y: a.y + (b.y - a.y) * t });
const median = (v: number[]): number | null => {
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  return s[s.length >> 1]!;
};
const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);
const mid = (a: Point, b: Point): Point => lerp(a, b, 0.5);
const unit = (x: number, y: number): Point => {
  const l = Math.hypot(x, y) || 1;
  return { x: x / l, y: y / l };
};

/** Orthonormal frame: origin, across (to the wearer's left = image right) and down. */
interface Frame {
  o: Point;
  ex: Point;
  ey: Point;
}
const frameOf = (o: Point, left: Point, right: Point): Frame => {
  const ex = unit(left.x - right.x, left.y - right.y);
  return { o, ex, ey: { x: -ex.y, y: ex.x } };
};
const toFrame = (f: Frame, p: Point): Point => {
  const dx = p.x - f.o.x, dy = p.y - f.o.y;
  return { x: dx * f.ex.x + dy * f.ex.y, y: dx * f.ey.x + dy * f.ey.y };
};
const fromFrame = (f: Frame, u: number, v: number): Point => ({ x: f.o.x + f.ex.x * u + f.ey.x * v, y: f.o.y + f.ex.y * u + f.ey.y * v });

/**
 * The torso's edges at image row y: the chest, waist and hip measurements interpolated, tightened to
 * the body's outline under the clothing when the layers give one (a loose old top widens the mask).
 */
function torsoAt(m: ModelAnalysis, y: number, body?: Mask): { left: number; right: number } {
  const t = measuredTorsoAt(m, y);
  if (!body || body.width !== m.width) return t;
  const yi = Math.round(y);
  if (yi < 0 || yi >= body.height) return t;
  const c = Math.round((t.left + t.right) / 2);
  const row = yi * body.width;
  if (c < 0 || c >= body.width || body.data[row + c]! < 128) return t;
  let l = c, r = c;
  while (l + 1 < body.width && l < t.left && body.data[row + l + 1]! >= 128) l++;
  while (r - 1 >= 0 && r > t.right && body.data[row + r - 1]! >= 128) r--;
  // Ignore an outline much narrower than measured: a gap in the outline, not a slimmer body.
  if (l - r < 0.7 * (t.left - t.right)) return t;
  return { left: Math.min(t.left, l), right: Math.max(t.right, r) };
}

/**
 * Widest a torso row may be, in shoulder widths: a row wider than that ran into arms or a loose old
 * garment's sleeves, and is cut back about the body's centre line.
 */
const MAX_ROW = { chest: 0.95, waist: 1.0, hip: 1.15 } as const;

function measuredTorsoAt(m: ModelAnalysis, y: number): { left: number; right: number } {
  const ms = m.measurements;
  const k = m.pose.keypoints;
  const sy = (ms.shoulder_left.y + ms.shoulder_right.y) / 2, hy = (k.left_hip.y + k.right_hip.y) / 2;
  const sx = (ms.shoulder_left.x + ms.shoulder_right.x) / 2, hx = (k.left_hip.x + k.right_hip.x) / 2;
  const rows = (['chest', 'waist', 'hip'] as const)
    .map((name) => {
      const r = ms[name];
      const max = MAX_ROW[name] * ms.shoulder_width;
      if (r.width <= max) return r;
      const c = sx + ((hx - sx) * (r.y - sy)) / Math.max(1, hy - sy);
      return { y: r.y, width: max, left: Math.min(r.left, c + max / 2), right: Math.max(r.right, c - max / 2) };
    })
    .filter((r) => r.width > 2)
    .sort((a, b) => a.y - b.y);
  if (rows.length === 0) {
    const s = m.measurements;
    const c = (s.shoulder_left.x + s.shoulder_right.x) / 2;
    return { left: c + s.shoulder_width * 0.42, right: c - s.shoulder_width * 0.42 };
  }
  if (y <= rows[0]!.y) return rows[0]!;
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1]!, b = rows[i]!;
    if (y <= b.y) {
      const t = (y - a.y) / Math.max(1, b.y - a.y);
      return { left: a.left + (b.left - a.left) * t, right: a.right + (b.right - a.right) * t };
    }
  }
  return rows[rows.length - 1]!;
}

/** Gap between the face and the highest a neckline may sit, in shoulder widths: the mesh outline is the chin's skin edge, which a high collar may touch. */
const CHIN_CLEARANCE = 0;

/**
 * Moves the neck points down until the neckline clears the face: the collar's top edge (the line
 * neck_right → neck_left) below every face landmark over its span, the front of the neck below
 * those near it. Face-mesh points, else the face box's bottom edge.
 */
function clearChin(m: ModelAnalysis, named: Record<string, Point>, S: number): void {
  const f = m.face;
  if (!f) return;
  const pts = f.landmarks.length ? f.landmarks : [0, 0.25, 0.5, 0.75, 1].map((t) => ({ x: f.box.x + t * f.box.width, y: f.box.y + f.box.height }));
  const gap = CHIN_CLEARANCE * S;
  const nl = named.neck_left, nr = named.neck_right;
  if (nl && nr) {
    const x0 = Math.min(nl.x, nr.x), x1 = Math.max(nl.x, nr.x);
    let need = 0;
    for (const p of pts) {
      if (p.x < x0 || p.x > x1) continue;
      const t = (p.x - nr.x) / (nl.x - nr.x || 1);
      need = Math.max(need, p.y + gap - (nr.y + (nl.y - nr.y) * t));
    }
    if (need > 0) {
      named.neck_left = { x: nl.x, y: nl.y + need };
      named.neck_right = { x: nr.x, y: nr.y + need };
    }
  }
  const nf = named.neck_front;
  if (nf) {
    let low = -Infinity;
    for (const p of pts) if (Math.abs(p.x - nf.x) < 0.1 * S && p.y > low) low = p.y;
    if (nf.y < low + gap) named.neck_front = { x: nf.x, y: low + gap };
  }
}

/**
 * p moved down onto the body when it lies beside the head and neck, off the person (a neckline
 * corner proportions put above a sloping shoulder): the first body pixel below it that is not hair
 * or face, within maxDown pixels. On hair or face out on the shoulder (hair over it, whose outline is
 * not the body's), no higher than NECK_RISE above the line through the shoulder points.
 */
export function ontoShoulder(m: ModelAnalysis, p: Point, maxDown: number): Point {
  const x = Math.round(p.x), y0 = Math.round(p.y);
  if (x < 0 || x >= m.width || y0 < 0 || y0 >= m.height) return p;
  // Hair over the shoulder hides where it is: out on the shoulder (a wide neckline's corner, not a
  // high collar's beside the neck), no higher than the shoulder line allows there.
  const S = m.measurements.shoulder_width, cx = (m.measurements.shoulder_left.x + m.measurements.shoulder_right.x) / 2;
  const lowest = Math.abs(p.x - cx) > ON_SHOULDER * S ? shoulderLineAt(m, p.x) - NECK_RISE * S : -Infinity;
  const hidden = (l: number) => l === L.hair || l === L.face;
  if (m.mask.data[y0 * m.width + x]! >= 128) return hidden(m.parsing.data[y0 * m.width + x]!) ? { x: p.x, y: Math.max(p.y, lowest) } : p;
  for (let d = 1; d <= maxDown && y0 + d < m.height; d++) {
    const i = (y0 + d) * m.width + x;
    if (m.mask.data[i]! < 128) continue;
    const lab = m.parsing.data[i]!;
    if (hidden(lab)) return { x: p.x, y: Math.max(p.y, Math.min(y0 + d, lowest)) };
    return { x: p.x, y: y0 + d };
  }
  return p;
}

/** A neck corner moved down onto the shoulder by more than this (shoulder widths) has its neckline's knee pinned. */
const SQUASHED_CORNER = 0.05;
/** Least depth of a neckline's knee below the chord from its corner to the front, in spans between the neck corners. */
const KNEE_DEPTH = 0.08;
/** Share of a neckline knee's drop below its corner (garment proportions) kept when the corner is squashed onto the shoulder. */
const KNEE_KEEP = 0.5;
/** Most a pinned knee moves the neckline's front down, in shoulder widths (measured 0.12 on a sweetheart bodysuit). */
const KNEE_FRONT_DROP = 0.2;

/**
 * The neckline's knee between a neck corner and the front: of the neckline's points in the columns
 * between them (in each, the first garment pixel below the opening, the collar's back not counted),
 * the one furthest below the chord corner → front; null when none lies minDepth below it (a V or a
 * round neck close to straight).
 */
export function necklineKnee(mask: Mask, back: Mask | null, corner: Point, front: Point, minDepth: number): Point | null {
  const W = mask.width, H = mask.height;
  const on = (x: number, y: number) => mask.data[y * W + x]! >= 128 && !(back && back.data[y * W + x]! >= 128);
  const x0 = Math.round(corner.x), x1 = Math.round(front.x), sgn = Math.sign(x1 - x0);
  if (sgn === 0) return null;
  const yEnd = Math.min(H - 1, Math.round(front.y + (front.y - corner.y)));
  let best: Point | null = null, bestD = minDepth;
  for (let x = x0 + sgn; x !== x1; x += sgn) {
    if (x < 0 || x >= W) continue;
    let y = Math.max(0, Math.round(Math.min(corner.y, front.y)));
    while (y <= yEnd && on(x, y)) y++;
    while (y <= yEnd && !on(x, y)) y++;
    if (y > yEnd) continue;
    const chord = corner.y + ((front.y - corner.y) * (x - corner.x)) / (front.x - corner.x);
    if (y - chord > bestD) {
      bestD = y - chord;
      best = { x, y };
    }
  }
  return best;
}

/** How far the outline at the neck's base rises above the line through the shoulder points, in shoulder widths. */
const NECK_RISE = 0.12;
/** Least distance from the body's centre line of a neckline corner out on the shoulder, in shoulder widths. */
const ON_SHOULDER = 0.25;

/** Height of the line through the measured shoulder points at column x. */
function shoulderLineAt(m: ModelAnalysis, x: number): number {
  const a = m.measurements.shoulder_left, b = m.measurements.shoulder_right;
  return Math.abs(a.x - b.x) < 1 ? (a.y + b.y) / 2 : a.y + ((b.y - a.y) * (x - a.x)) / (b.x - a.x);
}

/** x of a sleeve's inner edge at image row y (between its cap and cuff), or null. */
function sleeveInnerAt(s: SleeveTarget | undefined, y: number, sgn: number): number | null {
  if (!s) return null;
  let at = 0;
  for (let i = 1; i < s.arm.length; i++) {
    const a = s.arm[i - 1]!, b = s.arm[i]!, len = dist(a, b);
    if ((a.y - y) * (b.y - y) <= 0 && b.y !== a.y) {
      const f = (y - a.y) / (b.y - a.y);
      if (at + f * len > s.cuffAt) return null;
      return a.x + (b.x - a.x) * f - sgn * (s.halfWidth[i - 1]! + (s.halfWidth[i]! - s.halfWidth[i - 1]!) * f);
    }
    at += len;
  }
  return null;
}

/** Highest point of the body's outline (not hair or face) above p, searched within maxUp pixels. */
function outlineTop(m: ModelAnalysis, p: Point, maxUp: number): Point {
  const x = Math.round(p.x);
  if (x < 0 || x >= m.width) return p;
  let top = p;
  for (let d = 0; d <= maxUp; d++) {
    const y = Math.round(p.y - d);
    if (y < 0) break;
    const i = y * m.width + x;
    const lab = m.parsing.data[i]!;
    if (m.mask.data[i]! < 128 || lab === L.hair || lab === L.face || lab === L.neck) break;
    top = { x: p.x, y };
  }
  return top;
}

/** The highest row a waistband can sit at (see HIGHEST_WAIST): "lower clothing" above it is the old top. */
const highestWaist = (m: ModelAnalysis) => (m.pose.keypoints.left_hip.y + m.pose.keypoints.right_hip.y) / 2 - HIGHEST_WAIST * m.measurements.torso_length;

/** First image row (from the top, near x) of lower clothing below y0, or null. */
function lowerClothingTop(m: ModelAnalysis, x: number, y0: number, y1: number): number | null {
  const xs = [x - 6, x, x + 6].map((v) => Math.max(0, Math.min(m.width - 1, Math.round(v))));
  for (let y = Math.max(0, Math.round(y0), Math.ceil(highestWaist(m))); y < Math.min(m.height, y1); y++) {
    let n = 0;
    for (const xi of xs) if (m.parsing.data[y * m.width + xi] === L.lower_clothing) n++;
    if (n >= 2) return y;
  }
  return null;
}

/**
 * The lower clothing's top edge across the hips (image row): the median over the hip columns of
 * waistbandRow, never above the highest a waistband sits; null when fewer than two columns show one.
 */
function waistbandY(m: ModelAnalysis): number | null {
  const { y0, y1, run, columns } = waistbandSearch(m);
  const from = Math.max(y0, Math.ceil(highestWaist(m)));
  const tops = columns.map((x) => waistbandRow(m, null, x, from, y1, run)).filter((y) => y >= 0);
  return tops.length >= 2 ? median(tops) : null;
}

function kp(m: ModelAnalysis, name: KeypointName): Point | null {
  const p = m.pose.keypoints[name];
  return p && p.score >= MIN_KP ? p : null;
}

/** The garment's landmarks as used: analysis, then the designer's moved points. */
function garmentPoints(g: GarmentAnalysis, opts: RenderOptions): Record<string, Point> {
  const out: Record<string, Point> = {};
  for (const [k, p] of Object.entries(g.landmarks)) out[k] = { x: p.x, y: p.y };
  if (g.category === 'top') {
    mirrorDoubtfulCuff(g, out);
    for (const side of ['left', 'right'] as const) repairCuff(out, g.mask, side);
  }
  for (const [k, p] of Object.entries(opts.landmarks)) out[k] = { x: p.x, y: p.y };
  return out;
}

/** `outline`: the body's outline under the clothing (ModelLayers.body), to size the garment on the body rather than on the old clothing. */
export function computeTargets(m: ModelAnalysis, g: GarmentAnalysis, opts: RenderOptions, outline?: Mask): Targets {
  const G = garmentPoints(g, opts);
  // A bodysuit is worn tucked: its brief is inside the lower clothing (and cut off, see garmentPieces).
  const brief = hasBrief(g, G);
  const tucked = g.category === 'top' && (opts.tuck || brief);
  const bodyMask = outline;
  const meas = m.measurements;
  const S = Math.max(8, meas.shoulder_width);
  const body = frameOf(mid(meas.shoulder_left, meas.shoulder_right), meas.shoulder_left, meas.shoulder_right);
  const warnings: string[] = [];
  if (brief) warnings.push('a bodysuit: drawn tucked into the lower clothing with its brief cut off; check the waist');
  const ease = EASE[opts.fit];
  let named: Record<string, Point>;
  // Offsets from the straight garment line a→b, as body-frame vectors, for points along the torso's sides.
  const sideBends: Array<{ a: string; b: string; t: number; off: Point; g: Point }> = [];
  let sleeves: SleeveTarget[] = [];
  let k: number;
  /** Set when a top is lengthened to meet the lower clothing: its own hem depth (body frame) before that. */
  let ownHemV: number | null = null;
  let lengthened = 0;
  /** Neckline knees kept in the garment's proportions (see necklineKnee), body pixels before the designer's moves. */
  const necklinePins: Array<{ g: Point; b: Point }> = [];

  const edgeAt = (y: number, sgn: number, extra: number = ease): number => {
    const t = torsoAt(m, y, bodyMask);
    const c = (t.left + t.right) / 2, half = ((t.left - t.right) / 2) * (1 + extra);
    return c + sgn * half;
  };

  if (g.category === 'bottom') {
    ({ named, k } = bottomTargets(m, G, body, S, opts, edgeAt, warnings));
  } else {
    const sleeved = g.category === 'top' && hasSleeves(G);
    const gf = frameOf(mid(G.shoulder_left!, G.shoulder_right!), G.shoulder_left!, G.shoulder_right!);
    const chestY = meas.chest.y;
    const chestW = edgeAt(chestY, 1) - edgeAt(chestY, -1);
    // A flat garment is half the body's girth wide but its length is the body's: scale by the shoulder seams
    // (which sit at the shoulders' edges in a frontal view), not by the chest.
    // Without sleeves the chest decides, unless the straps are wide (a muscle tank, a shell top): their
    // outer corners sit on the shoulder points, so the garment is never scaled past the shoulders.
    // Sleeves laid down the garment's sides put its top corners on the sleeves' outer edges, well outside
    // the shoulder seams: the armholes then say more of the garment's size (a flat top's armpit span is
    // about 3/4 of its shoulder span).
    const armpitSpan = dist(G.armpit_left!, G.armpit_right!);
    const shoulderSpan = Math.max(1, Math.min(dist(G.shoulder_left!, G.shoulder_right!), sleeved ? armpitSpan / ARMPIT_OVER_SHOULDER : Infinity));
    k = sleeved
      ? (S * (1 + 2 * SEAM_OUT[opts.fit])) / shoulderSpan
      : Math.min((chestW * FLAT_TO_FRONT) / Math.max(1, dist(G.armpit_left!, G.armpit_right!)), (S * STRAP_SPAN[opts.fit]) / shoulderSpan);
    const prop = (p: Point): Point => {
      const q = toFrame(gf, p);
      return fromFrame(body, q.x * k, q.y * k);
    };
    named = {};
    for (const n of ['neck_left', 'neck_right', 'neck_front']) if (G[n]) named[n] = prop(G[n]!);
    // Garment proportions put a high collar (polo, turtleneck) or a head bent forward's neckline over
    // the chin: the neckline never rises above the face. Only the neck points move, so the collar
    // sits lower or shorter while shoulders and body keep their places.
    clearChin(m, named, S);
    // A wide neckline's corners (boat neck, sweetheart straps) rest on the shoulders: never in the air above them.
    for (const n of ['neck_left', 'neck_right'] as const) if (named[n]) named[n] = ontoShoulder(m, named[n]!, 0.35 * S);
    // A corner moved far down onto the shoulder (the product photo's form stands the strap up beside
    // its neck) squashes its strap, and the neckline's knee (a sweetheart's or square neck's inner
    // corner) would land as low as its front: a straight edge. The knee keeps KNEE_KEEP of its drop
    // below the corner, and the front its own dip below the knee.
    if (G.neck_front && named.neck_front && !Object.keys(opts.targets).some((n) => n.startsWith('neck_'))) {
      for (const n of ['neck_left', 'neck_right'] as const) {
        if (!G[n] || !named[n] || named[n]!.y - prop(G[n]!).y < SQUASHED_CORNER * S) continue;
        const knee = necklineKnee(g.mask, g.collar_back, G[n]!, G.neck_front, KNEE_DEPTH * dist(G.neck_left ?? G[n]!, G.neck_right ?? G[n]!));
        if (!knee) continue;
        const at = prop(knee);
        const b = { x: at.x, y: Math.max(at.y, named[n]!.y + (knee.y - G[n]!.y) * k * KNEE_KEEP) };
        necklinePins.push({ g: knee, b });
        // At most KNEE_FRONT_DROP below where the garment's proportions put the front.
        const front = Math.min(b.y + (G.neck_front.y - knee.y) * k, prop(G.neck_front).y + KNEE_FRONT_DROP * S);
        if (named.neck_front.y < front) named.neck_front = { x: named.neck_front.x, y: front };
      }
    }
    for (const [name, sgn, ms] of [['left', 1, meas.shoulder_left], ['right', -1, meas.shoulder_right]] as const) {
      if (sleeved) {
        // The measured point sits above the shoulder joint; the sleeve seam sits at the deltoid's edge, further out.
        // At least out to the body's outline there (the deltoid), or the body's shoulder shows beside the
        // seam as a sliver of synthesised skin; at most SEAM_REACH further.
        let out: number = SEAM_OUT[opts.fit];
        if (bodyMask) {
          const on = (u: number) => {
            const x = Math.round(ms.x + body.ex.x * sgn * u * S + body.ey.x * 0.08 * S), y = Math.round(ms.y + body.ex.y * sgn * u * S + body.ey.y * 0.08 * S);
            return x >= 0 && y >= 0 && x < bodyMask.width && y < bodyMask.height && bodyMask.data[y * bodyMask.width + x]! >= 128;
          };
          let edge = 0;
          for (let u = 0; u <= out + SEAM_REACH; u += 0.01) if (on(u)) edge = u;
          out = Math.min(out + SEAM_REACH, Math.max(out, edge));
        }
        named[`shoulder_${name}`] = { x: ms.x + body.ex.x * sgn * out * S + body.ey.x * 0.03 * S, y: ms.y + body.ex.y * sgn * out * S + body.ey.y * 0.03 * S };
      } else {
        // A strap sits where the garment's proportions put it, on top of the shoulder's outline.
        const p = prop(G[`shoulder_${name}`]!);
        const top = outlineTop(m, { x: p.x, y: p.y + 0.25 * S }, 0.5 * S);
        // Never above the shoulder line by more than the trapezius rises.
        named[`shoulder_${name}`] = { x: p.x, y: Math.max(top.y + 0.02 * S, ms.y - 0.12 * S) };
      }
      const ap = prop(G[`armpit_${name}`]!);
      const v = Math.min(0.75 * S, Math.max(0.22 * S, toFrame(body, ap).y));
      const ay = fromFrame(body, 0, v).y;
      named[`armpit_${name}`] = { x: edgeAt(ay, sgn), y: ay };
    }
    // The armpit is inside the shoulder's edge; past it the armhole would turn inside out.
    for (const name of ['left', 'right'] as const) {
      const c = (named.shoulder_left!.x + named.shoulder_right!.x) / 2;
      const sh = named[`shoulder_${name}`]!.x - c, ap = named[`armpit_${name}`]!;
      if (Math.abs(ap.x - c) > 0.95 * Math.abs(sh)) ap.x = c + 0.95 * sh;
    }
    // Hem: proportional length from the shoulder line, width from the body plus ease and the garment's own cut.
    const hemG = mid(G.hem_left!, G.hem_right!);
    let hemV = toFrame(gf, hemG).y * k * opts.length;
    const hipMid = mid(m.pose.keypoints.left_hip, m.pose.keypoints.right_hip);
    if (tucked) {
      const lc = lowerClothingTop(m, hipMid.x, body.o.y + 0.8 * S, hipMid.y + 0.6 * S);
      const waistband = lc ?? hipMid.y - 0.1 * meas.torso_length;
      hemV = Math.max(0.6 * S, toFrame(body, { x: hipMid.x, y: waistband }).y + 0.06 * S);
    } else if (g.category === 'top' && opts.length === 1 && opts.meet_lower) {
      // A top a little shorter on this body than the photo's top: lengthened to the lower clothing's
      // waistband (by at most MAX_STRETCH), since a strip of the old top under the hem reads as a second
      // garment. A cropped top, far shorter, keeps its length.
      const wb = waistbandY(m);
      if (wb !== null) {
        const need = toFrame(body, { x: hipMid.x, y: wb }).y + 0.02 * meas.torso_length - hemV;
        if (need > 0 && need <= MAX_STRETCH * hemV + 0.22 * meas.torso_length) {
          ownHemV = hemV;
          hemV += Math.min(need, MAX_STRETCH * hemV);
          lengthened = hemV / ownHemV - 1;
        }
      }
    }
    const hemC = fromFrame(body, 0, hemV);
    const gHalf = (dist(G.hem_left!, G.hem_right!) / 2) * k;
    for (const [name, sgn] of [['left', 1], ['right', -1]] as const) {
      const bodyEdge = edgeAt(hemC.y, sgn);
      const tc = torsoAt(m, hemC.y, bodyMask);
      const c = (tc.left + tc.right) / 2;
      const bodyHalf = Math.abs(bodyEdge - c);
      // A dress's skirt keeps its own flare; a top's hem only some of its boxiness.
      const dress = g.category === 'dress';
      const own = Math.min(bodyHalf * (dress ? 2.2 : 1.45), Math.max(bodyHalf, gHalf));
      const half = bodyHalf + (own - bodyHalf) * (dress ? Math.max(0.8, OWN_CUT[opts.fit]) : OWN_CUT[opts.fit]);
      named[`hem_${name}`] = { x: c + sgn * half, y: hemC.y };
    }
    if (g.category === 'dress' && G.waist_left && G.waist_right) {
      for (const [name, sgn] of [['left', 1], ['right', -1]] as const) {
        const pw = prop(G[`waist_${name}`]!);
        const wy = Math.min(Math.max(pw.y, meas.waist.y - 0.2 * S), meas.waist.y + 0.2 * S);
        named[`waist_${name}`] = { x: edgeAt(wy, sgn), y: wy };
      }
    }
    // Sleeves first: an arm in front of the torso moves the armpit in.
    if (sleeved) sleeves = sleeveTargets(m, G, named, S, k, opts, warnings);
    // Points along the sides follow the torso between armpit and hem (or waist).
    for (const [name, sgn] of [['left', 1], ['right', -1]] as const) {
      const a = `armpit_${name}`;
      const b = g.category === 'dress' && named[`waist_${name}`] ? `waist_${name}` : `hem_${name}`;
      // A lengthened top (see MAX_STRETCH) keeps its proportions above the lowest part of its side,
      // where plain fabric over the hem takes the stretch, so a print over the chest is not drawn out.
      const av = toFrame(body, named[a]!).y;
      const r = ownHemV === null || b !== `hem_${name}` ? 1 : Math.min(1, Math.max(0, (ownHemV - av) / Math.max(1, hemV - av)));
      const fractions = r < 1 ? [0.25, 0.5, STRETCH_FROM, (1 + STRETCH_FROM) / 2] : [0.25, 0.5, 0.75];
      for (const t of fractions) {
        const bt = t <= STRETCH_FROM ? t * r : STRETCH_FROM * r + ((t - STRETCH_FROM) * (1 - STRETCH_FROM * r)) / (1 - STRETCH_FROM);
        const line = lerp(named[a]!, named[b]!, bt);
        // Hanging straight from armpit to hem, pulled towards the body for a slim fit, never inside the body.
        const edge = edgeAt(line.y, sgn);
        const hang = line.x + (edge - line.x) * HUG[opts.fit];
        let x = sgn * Math.max(sgn * edge, sgn * hang);
        // A sleeve hanging close beside the body: the side reaches under it, so no strip of the
        // old clothing's fill shows between panel and sleeve.
        const inner = sleeveInnerAt(sleeves.find((sl) => sl.side === name), line.y, sgn);
        if (inner !== null) {
          const gap = sgn * (inner - x);
          if (gap > 0 && gap < ARM_GAP * S) x = inner + sgn * 0.01 * S;
        }
        sideBends.push({ a, b, t: bt, off: { x: x - line.x, y: 0 }, g: lerp(G[a]!, G[b]!, t) });
      }
    }
  }

  // The designer's whole-garment moves: about the shoulder line's centre, in model pixels.
  const rot = (opts.rotation * Math.PI) / 180;
  const cs = Math.cos(rot) * opts.scale, sn = Math.sin(rot) * opts.scale;
  const c0 = body.o;
  const dx = opts.offset.x * S, dy = opts.offset.y * S;
  const move = (p: Point): Point => ({ x: c0.x + cs * (p.x - c0.x) - sn * (p.y - c0.y) + dx, y: c0.y + sn * (p.x - c0.x) + cs * (p.y - c0.y) + dy });
  const turn = (v: Point): Point => ({ x: cs * v.x - sn * v.y, y: sn * v.x + cs * v.y });
  const points: Record<string, Point> = {};
  for (const [n, p] of Object.entries(named)) points[n] = move(p);
  for (const s of sleeves) {
    s.capOuter = move(s.capOuter);
    s.capInner = move(s.capInner);
    s.arm = s.arm.map(move);
    s.halfWidth = s.halfWidth.map((h) => h * opts.scale);
    s.cuffAt *= opts.scale;
  }
  for (const [n, p] of Object.entries(opts.targets)) if (n in points || n.startsWith('sleeve_')) points[n] = { x: p.x, y: p.y };
  for (const s of sleeves) {
    s.capOuter = points[`shoulder_${s.side}`]!;
    s.capInner = points[`armpit_${s.side}`]!;
    const o = opts.targets[`sleeve_${s.side}_outer`], i = opts.targets[`sleeve_${s.side}_inner`];
    if (o || i) s.cuff = { outer: points[`sleeve_${s.side}_outer`] ?? o!, inner: points[`sleeve_${s.side}_inner`] ?? i! };
  }

  // Body panel correspondences: landmarks, then points along its edges between them.
  const pg: Point[] = [], pb: Point[] = [];
  const add = (gp: Point, bp: Point) => {
    pg.push(gp);
    pb.push(bp);
  };
  for (const [n, p] of Object.entries(points)) if (G[n] && !n.startsWith('sleeve_')) add(G[n]!, p);
  for (const pin of necklinePins) add(pin.g, move(pin.b));
  const along = (a: string, b: string, ts: number[]) => {
    if (!G[a] || !G[b] || !points[a] || !points[b]) return;
    for (const t of ts) add(lerp(G[a]!, G[b]!, t), lerp(points[a]!, points[b]!, t));
  };
  for (const s of ['left', 'right']) {
    // The garment's outline between neck corner and shoulder lies on the shoulder line: a strap that
    // stands up above that chord in the photo (a square or sweetheart neck) is not drawn as a horn.
    const a = `neck_${s}`, b = `shoulder_${s}`;
    if (G[a] && G[b] && points[a] && points[b] && G.armpit_left && G.armpit_right) {
      const inside = mid(G.armpit_left, G.armpit_right);
      for (const t of [0.25, 0.5, 0.75]) add(outlineBeyond(g.mask, G[a]!, G[b]!, t, inside), lerp(points[a]!, points[b]!, t));
    }
    // The armhole seam: shared with the sleeve's cap row, so both warp it to the same line.
    along(`shoulder_${s}`, `armpit_${s}`, [0.25, 0.5, 0.75]);
    along(`waist_${s}`, `hem_${s}`, [0.5]);
  }
  along('hem_left', 'hem_right', [0.25, 0.5, 0.75]);
  along('waist_left', 'waist_right', [0.5]);
  const sideAt = (sb: (typeof sideBends)[number]): Point | null => {
    if (!points[sb.a] || !points[sb.b]) return null;
    const off = turn(sb.off);
    const line = lerp(points[sb.a]!, points[sb.b]!, sb.t);
    return { x: line.x + off.x, y: line.y + off.y };
  };
  for (const sb of sideBends) {
    const p = sideAt(sb);
    if (p) add(sb.g, p);
  }
  if (ownHemV !== null) {
    // A lengthened top: the middle between the sides is pinned as well, so the print keeps its shape.
    const n = sideBends.length / 2;
    for (let i = 0; i < n; i++) {
      const l = sideBends[i]!, r = sideBends[i + n]!, pl = sideAt(l), pr = sideAt(r);
      if (pl && pr) add(mid(l.g, r.g), mid(pl, pr));
    }
  }
  if (g.category === 'bottom') {
    for (const s of ['left', 'right']) {
      along(`waist_${s}`, `hem_${s}_outer`, [0.25, 0.5, 0.75]);
      along('crotch', `hem_${s}_inner`, [0.33, 0.66]);
    }
  }
  return { category: g.category, points, landmarks: G, panel: { garment: pg, body: pb }, sleeves, scale: k * opts.scale, shoulderWidth: S, tuck: tucked, brief, lengthened, warnings };
}

/**
 * A bodysuit: well below its hem corners the garment goes on only as a narrow brief in the middle
 * (a tie or a shirttail hanging lower is off-centre or nearly as wide as the hem).
 */
export function hasBrief(g: GarmentAnalysis, G: Record<string, Point>): boolean {
  if (g.category !== 'top' || !G.hem_left || !G.hem_right) return false;
  const { width: W, height: H, data } = g.mask;
  let top = -1, bottom = -1;
  for (let y = 0; y < H && top < 0; y++) for (let x = 0; x < W; x += 2) if (data[y * W + x]! >= 128) { top = y; break; }
  for (let y = H - 1; y >= 0 && bottom < 0; y--) for (let x = 0; x < W; x += 2) if (data[y * W + x]! >= 128) { bottom = y; break; }
  const hemY = Math.max(G.hem_left.y, G.hem_right.y);
  if (top < 0 || bottom - hemY < 0.12 * (bottom - top)) return false;
  const hemW = dist(G.hem_left, G.hem_right), cx = (G.hem_left.x + G.hem_right.x) / 2;
  const y = Math.round(hemY + 0.6 * (bottom - hemY));
  // The run of garment through the middle (long sleeves hang beside it at this height).
  const c = Math.round(cx);
  if (c < 0 || c >= W || data[y * W + c]! < 128) return false;
  let l = c, r = c;
  while (l > 0 && data[y * W + l - 1]! >= 128) l--;
  while (r < W - 1 && data[y * W + r + 1]! >= 128) r++;
  return r - l + 1 < 0.5 * hemW && Math.abs((l + r) / 2 - cx) < 0.15 * hemW;
}

/** A top has sleeves when its cuffs lie clearly beyond the armhole. */
export function hasSleeves(G: Record<string, Point>): boolean {
  const need = ['shoulder_left', 'shoulder_right', 'armpit_left', 'armpit_right', 'sleeve_left_outer', 'sleeve_left_inner', 'sleeve_right_outer', 'sleeve_right_inner'];
  if (!need.every((n) => G[n])) return false;
  const gS = dist(G.shoulder_left!, G.shoulder_right!);
  const len = (s: string) => dist(mid(G[`shoulder_${s}`]!, G[`armpit_${s}`]!), mid(G[`sleeve_${s}_outer`]!, G[`sleeve_${s}_inner`]!));
  return Math.min(len('left'), len('right')) > 0.08 * gS;
}

function sleeveTargets(m: ModelAnalysis, G: Record<string, Point>, named: Record<string, Point>, S: number, k: number, opts: RenderOptions, warnings: string[]): SleeveTarget[] {
  const out: SleeveTarget[] = [];
  if (opts.sleeve_length <= 0) return out;
  const aw = m.measurements.arm_width;
  // Each arm's keypoints (or a straight hang where they are missing) and its outline in the parsing.
  const arms = (['left', 'right'] as const).map((side) => {
    const sh = kp(m, `${side}_shoulder`) ?? m.pose.keypoints[`${side}_shoulder`];
    let el = kp(m, `${side}_elbow`);
    let wr = kp(m, `${side}_wrist`);
    const sgn = side === 'left' ? 1 : -1;
    if (!el) {
      warnings.push(`the ${side} elbow was not found: sleeve hangs straight`);
      el = { x: sh.x + sgn * 0.12 * S, y: sh.y + 0.85 * S };
    }
    if (!wr) {
      if (kp(m, `${side}_elbow`)) warnings.push(`the ${side} wrist was not found: forearm assumed straight`);
      wr = { x: el.x + (el.x - sh.x) * 0.9, y: el.y + (el.y - sh.y) * 0.9 };
    }
    // The sleeve follows the arm's own outline in the parsing where it is seen (keypoints sit off-centre).
    return { side, sgn, sh, el, wr, prof: armProfile(m, side, [sh, el, wr], S) };
  });
  // The arm's typical width where the outline does not give it (the arm against the torso, or covered
  // by a long sleeve the parsing calls torso): this arm's own measured stations, else the other arm's,
  // else the mask's measurement when it did not run into the torso, else proportions.
  const measured = (a: (typeof arms)[number], upperHalf: boolean) =>
    median(a.prof.filter((p) => p.w !== null && p.w >= 0.12 * S && p.w <= 0.38 * S && p.t < 0.5 === upperHalf).map((p) => p.w!));
  const sane = (w: number | null, lo: number, hi: number) => (w !== null && w >= lo * S && w <= hi * S ? w : null);
  for (const thisArm of arms) {
    const { side, sgn, sh, el, prof } = thisArm;
    const other = arms.find((a) => a !== thisArm)!;
    const upper = measured(thisArm, true) ?? measured(other, true) ?? sane(aw[`${side}_upper`], 0.15, 0.3) ?? UPPER_ARM * S;
    const lower = Math.min(upper, measured(thisArm, false) ?? measured(other, false) ?? sane(aw[`${side}_lower`], 0.12, 0.26) ?? LOWER_ARM * S);
    // An arm hanging in front of the torso's side hides the armpit: the armhole ends under the arm's
    // inner edge, so the sleeve covers the whole arm and no bare arm shows over the body panel.
    const ap = named[`armpit_${side}`]!;
    const near = prof.filter((p) => p.w !== null && p.t < 0.5).sort((a, b) => Math.abs(a.c.y - ap.y) - Math.abs(b.c.y - ap.y))[0];
    if (near && near.w! <= 0.38 * S) {
      const innerX = near.c.x - (sgn * near.w!) / 2;
      if ((ap.x - innerX) * sgn > 0) ap.x = innerX;
    }
    const capOuter = named[`shoulder_${side}`]!, capInner = ap;
    const capMid = mid(capOuter, capInner);
    // Start the centre line above the cap so that both cap points project onto it at positive arc length.
    const d0 = unit(el.x - sh.x, el.y - sh.y);
    const start = { x: sh.x - d0.x * 0.6 * S, y: sh.y - d0.y * 0.6 * S };
    const arm: Point[] = [start, sh];
    const armW: number[] = [upper, upper];
    for (let i = 0; i < prof.length; i++) {
      arm.push(prof[i]!.c);
      const dflt = prof[i]!.t < 0.5 ? upper : lower;
      armW.push(sane(prof[i]!.w, 0.12, 0.38) ?? dflt);
    }
    const last = arm[arm.length - 1]!, prev = arm[arm.length - 2]!;
    arm.push({ x: last.x + (last.x - prev.x) * 0.3, y: last.y + (last.y - prev.y) * 0.3 });
    armW.push(armW[armW.length - 1]!);
    const gO = G[`sleeve_${side}_outer`]!, gI = G[`sleeve_${side}_inner`]!;
    const gCapO = G[`shoulder_${side}`]!, gCapI = G[`armpit_${side}`]!;
    const gLen = dist(mid(gCapO, gCapI), mid(gO, gI));
    const cum = [0];
    for (let i = 1; i < arm.length; i++) cum.push(cum[i - 1]! + dist(arm[i - 1]!, arm[i]!));
    const proj = (p: Point) => (p.x - start.x) * d0.x + (p.y - start.y) * d0.y;
    const capAt = proj(capMid);
    const cuffMax = cum[cum.length - 1]!;
    // A sleeve that reaches most of the way down the arm is a long sleeve: it ends at the wrist.
    const armLen = cuffMax - capAt;
    const own = gLen * k >= 0.6 * armLen ? armLen : gLen * k;
    const cuffAt = Math.min(cuffMax, Math.max(Math.max(proj(capOuter), proj(capInner)) + 0.06 * S, capAt + own * opts.sleeve_length));
    // A flat sleeve is half its girth wide; seen from the front a tube is girth/π wide. That width, kept
    // between the arm's own width plus the least and the most ease of the fit.
    const [lo, hi] = SLEEVE_EASE[opts.fit];
    const capW = dist(gCapO, gCapI) * k * FLAT_TUBE, cuffW = dist(gO, gI) * k * FLAT_TUBE;
    const widthAt = (s: number, armW: number) => {
      const t = Math.min(1, Math.max(0, (s - capAt) / Math.max(1, cuffAt - capAt)));
      const own = capW + (cuffW - capW) * t;
      return Math.min(armW * hi, Math.max(armW * lo, own)) / 2;
    };
    const halfWidth = arm.map((_, i) => widthAt(cum[i]!, armW[i]!));
    out.push({ side, garment: { capOuter: G[`shoulder_${side}`]!, capInner: G[`armpit_${side}`]!, cuffOuter: gO, cuffInner: gI }, capOuter, capInner, arm, cuffAt, halfWidth });
  }
  return out;
}

function bottomTargets(
  m: ModelAnalysis,
  G: Record<string, Point>,
  body: Frame,
  S: number,
  opts: RenderOptions,
  edgeAt: (y: number, sgn: number, extra?: number) => number,
  warnings: string[],
): { named: Record<string, Point>; k: number } {
  const kpts = m.pose.keypoints;
  const hipMid = mid(kpts.left_hip, kpts.right_hip);
  const wy = hipMid.y - 0.12 * m.measurements.torso_length;
  const named: Record<string, Point> = {
    waist_left: { x: edgeAt(wy, 1), y: wy },
    waist_right: { x: edgeAt(wy, -1), y: wy },
  };
  const gw = frameOf(mid(G.waist_left!, G.waist_right!), G.waist_left!, G.waist_right!);
  const k = dist(named.waist_left!, named.waist_right!) / Math.max(1, dist(G.waist_left!, G.waist_right!));
  const bw = frameOf(mid(named.waist_left!, named.waist_right!), named.waist_left!, named.waist_right!);
  const prop = (p: Point, len = 1): Point => {
    const q = toFrame(gw, p);
    return fromFrame(bw, q.x * k, q.y * k * len);
  };
  if (G.crotch) {
    const c = prop(G.crotch);
    // The crotch sits just below the hip joints whatever the flat rise says (a flat rise includes the back's curve).
    named.crotch = { x: c.x, y: Math.min(Math.max(c.y, hipMid.y + 0.1 * S), hipMid.y + 0.35 * S) };
  }
  const legged = !!(G.hem_left_inner && G.hem_right_inner);
  for (const [side, sgn] of [['left', 1], ['right', -1]] as const) {
    const outerG = G[`hem_${side}_outer`];
    if (!outerG) continue;
    if (!legged) {
      named[`hem_${side}_outer`] = prop(outerG, opts.length);
      continue;
    }
    const innerG = G[`hem_${side}_inner`]!;
    // Each leg along hip → knee → ankle, as long as the garment's proportions say.
    const hip = kpts[`${side}_hip`];
    const knee = kp(m, `${side}_knee`) ?? { x: hip.x, y: hip.y + 1.2 * S };
    const ankle = kp(m, `${side}_ankle`) ?? { x: knee.x + (knee.x - hip.x), y: knee.y + (knee.y - hip.y) };
    if (!kp(m, `${side}_knee`)) warnings.push(`the ${side} knee was not found: leg assumed straight`);
    const want = toFrame(gw, mid(outerG, innerG)).y * k * opts.length;
    const leg = [{ x: hip.x, y: wy }, knee, { x: ankle.x + (ankle.x - knee.x) * 0.5, y: ankle.y + (ankle.y - knee.y) * 0.5 }];
    let c = leg[leg.length - 1]!, dir = unit(leg[2]!.x - leg[1]!.x, leg[2]!.y - leg[1]!.y);
    for (let i = 1; i < leg.length; i++) {
      const a = toFrame(bw, leg[i - 1]!).y, b = toFrame(bw, leg[i]!).y;
      if (b >= want) {
        c = lerp(leg[i - 1]!, leg[i]!, (want - a) / Math.max(1e-6, b - a));
        dir = unit(leg[i]!.x - leg[i - 1]!.x, leg[i]!.y - leg[i - 1]!.y);
        break;
      }
    }
    const half = (dist(outerG, innerG) * k) / 2;
    const n = { x: -dir.y * sgn, y: dir.x * sgn };
    // n points to the image left for the left leg; outer is away from the body's centre.
    const outward = (c.x - hipMid.x) * sgn >= 0 ? 1 : -1;
    named[`hem_${side}_outer`] = { x: c.x - n.x * half * outward * -1, y: c.y - n.y * half * outward * -1 };
    named[`hem_${side}_inner`] = { x: c.x + n.x * half * outward * -1, y: c.y + n.y * half * outward * -1 };
    if ((named[`hem_${side}_outer`]!.x - named[`hem_${side}_inner`]!.x) * sgn < 0) {
      const t = named[`hem_${side}_outer`]!;
      named[`hem_${side}_outer`] = named[`hem_${side}_inner`]!;
      named[`hem_${side}_inner`] = t;
    }
  }
  // Legs close together: the trouser legs meet between them rather than cross.
  const li = named.hem_left_inner, ri = named.hem_right_inner;
  if (li && ri && li.x - ri.x < 2) {
    const m = (li.x + ri.x) / 2;
    li.x = m + 1;
    ri.x = m - 1;
  }
  return { named, k };
}

/**
 * Stations along the arm (shoulder → elbow → wrist keypoints): at each, the arm's run of pixels in the
 * parsing across the limb gives its centre and width. Where the arm is not labelled (covered by an
 * old sleeve) the keypoint line and no width are kept. t is the fraction along the whole arm.
 */
function armProfile(m: ModelAnalysis, side: 'left' | 'right', kps: Point[], S: number): Array<{ c: Point; w: number | null; t: number }> {
  const label = side === 'left' ? L.left_arm : L.right_arm;
  const segs = [dist(kps[0]!, kps[1]!), dist(kps[1]!, kps[2]!)];
  const total = segs[0]! + segs[1]!;
  const out: Array<{ c: Point; w: number | null; t: number }> = [];
  const reach = 0.4 * S;
  const W = m.width, H = m.height;
  for (const t of [0.25, 0.4, 0.55, 0.7, 0.85, 1]) {
    const s = t * total;
    const i = s <= segs[0]! ? 0 : 1;
    const f = i === 0 ? s / Math.max(1, segs[0]!) : (s - segs[0]!) / Math.max(1, segs[1]!);
    const p = lerp(kps[i]!, kps[i + 1]!, Math.min(1, f));
    // The wrist station keeps the keypoint: the hand is not sleeve.
    if (t === 1) {
      out.push({ c: p, w: null, t });
      continue;
    }
    const d = unit(kps[i + 1]!.x - kps[i]!.x, kps[i + 1]!.y - kps[i]!.y);
    const nx = -d.y, ny = d.x;
    // The run of arm pixels nearest the keypoint line.
    const best = labelRunAcross(m.parsing.data, W, H, p, { x: nx, y: ny }, reach, label);
    const w = best ? best[1] - best[0] + 1 : 0;
    if (!best || w < 0.1 * S) {
      out.push({ c: p, w: null, t });
      continue;
    }
    const mo = (best[0] + best[1]) / 2;
    out.push({ c: { x: p.x + nx * mo, y: p.y + ny * mo }, w, t });
  }
  return out;
}

/**
 * The garment's outline beyond the chord a→b at fraction t: from that chord point, outward (away from
 * `inside`) across the chord, the last garment pixel within half the chord's length.
 */
function outlineBeyond(mask: Mask, a: Point, b: Point, t: number, inside: Point): Point {
  const p = lerp(a, b, t);
  const len = dist(a, b);
  let n = unit(-(b.y - a.y), b.x - a.x);
  if ((p.x - inside.x) * n.x + (p.y - inside.y) * n.y < 0) n = { x: -n.x, y: -n.y };
  const on = (d: number) => {
    const x = Math.round(p.x + n.x * d), y = Math.round(p.y + n.y * d);
    return x >= 0 && y >= 0 && x < mask.width && y < mask.height && mask.data[y * mask.width + x]! >= 128;
  };
  let last = 0;
  for (let d = 1; d <= 0.5 * len; d++) {
    if (on(d)) last = d;
    else if (d - last > 2) break;
  }
  return { x: p.x + n.x * last, y: p.y + n.y * last };
}

/**
 * A sleeve whose cuff the analysis doubted (it may have taken the hem's corner for it, where the sleeve
 * hangs against the body) while the other sleeve's cuff is sure: the cuff is the sure one's mirror image
 * about the garment's centre line, when that lands on the garment. A hem corner on the same side far
 * above the other one was taken from that cuff: it is mirrored too.
 */
function mirrorDoubtfulCuff(g: GarmentAnalysis, G: Record<string, Point>): void {
  const L0 = g.landmarks;
  if (!G.shoulder_left || !G.shoulder_right) return;
  const cx = (G.shoulder_left.x + G.shoulder_right.x) / 2;
  const inside = (p: Point) => {
    const x = Math.round(p.x), y = Math.round(p.y);
    const r = 3;
    for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) {
      const xi = x + dx, yi = y + dy;
      if (xi >= 0 && yi >= 0 && xi < g.mask.width && yi < g.mask.height && g.mask.data[yi * g.mask.width + xi]! >= 128) return true;
    }
    return false;
  };
  const sure = (side: string) => Math.min(L0[`sleeve_${side}_inner`]?.score ?? 0, L0[`sleeve_${side}_outer`]?.score ?? 0);
  for (const [side, other] of [['left', 'right'], ['right', 'left']] as const) {
    if (sure(side) >= DOUBTFUL_CUFF || sure(other) < SURE_CUFF) continue;
    const mirror = (n: string): Point | null => (G[n] ? { x: 2 * cx - G[n]!.x, y: G[n]!.y } : null);
    const inner = mirror(`sleeve_${other}_inner`), outer = mirror(`sleeve_${other}_outer`);
    if (!inner || !outer || !inside(inner) || !inside(outer)) continue;
    G[`sleeve_${side}_inner`] = inner;
    G[`sleeve_${side}_outer`] = outer;
    const hem = G[`hem_${side}`], hemOther = mirror(`hem_${other}`);
    if (hem && hemOther && hemOther.y - hem.y > 0.1 * g.mask.height && inside(hemOther)) G[`hem_${side}`] = hemOther;
  }
}

/**
 * A cuff whose two corners (nearly) coincide gives the sleeve no width to map: rebuild them from the
 * mask, across the sleeve's axis just inside its end.
 */
function repairCuff(G: Record<string, Point>, mask: Mask, side: 'left' | 'right'): void {
  const o = G[`sleeve_${side}_outer`], i = G[`sleeve_${side}_inner`], so = G[`shoulder_${side}`], ai = G[`armpit_${side}`];
  if (!o || !i || !so || !ai) return;
  const cap = dist(so, ai);
  if (dist(o, i) >= 0.35 * cap) return;
  const capMid = mid(so, ai), cuffMid = mid(o, i);
  const ax = unit(cuffMid.x - capMid.x, cuffMid.y - capMid.y);
  const len = dist(capMid, cuffMid);
  const q = { x: cuffMid.x - ax.x * 0.06 * len, y: cuffMid.y - ax.y * 0.06 * len };
  const n = { x: -ax.y, y: ax.x };
  const inside = (t: number) => {
    const x = Math.round(q.x + n.x * t), y = Math.round(q.y + n.y * t);
    return x >= 0 && y >= 0 && x < mask.width && y < mask.height && mask.data[y * mask.width + x]! >= 128;
  };
  let a = 0, b = 0;
  while (a < 2 * cap && inside(a + 1)) a++;
  while (b < 2 * cap && inside(-b - 1)) b++;
  if (a + b < 0.2 * cap) return;
  const pa = { x: q.x + n.x * a, y: q.y + n.y * a }, pb = { x: q.x - n.x * b, y: q.y - n.y * b };
  // Outer is the shoulder's side of the sleeve's axis.
  const sideOf = (p: Point) => (p.x - capMid.x) * n.x + (p.y - capMid.y) * n.y;
  const aOuter = Math.sign(sideOf(pa)) === Math.sign(sideOf(so));
  G[`sleeve_${side}_outer`] = aOuter ? pa : pb;
  G[`sleeve_${side}_inner`] = aOuter ? pb : pa;
}
