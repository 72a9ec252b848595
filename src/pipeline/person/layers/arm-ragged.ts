// Arm pixels past the arm's own smooth outline: the colour parsing's ragged bites into pale clothing beside an arm.
import { PARSE_LABELS, type ModelAnalysis } from '../../types.js';
import { segmentDistance, type Segment, type Skeleton } from '../skeleton.js';

const L = PARSE_LABELS;
/** Half the window along the arm over which its edge is a running median, in shoulder widths. */
const WINDOW = 0.12;
/** Room past the median edge before a pixel counts as ragged, in shoulder widths (at least 2 px). */
const TOLERANCE = 0.012;
/** Farthest an arm's edge is looked for from its bone line, in shoulder widths. */
const REACH = 0.3;

/**
 * Pixels labelled arm that stand out past the arm's outline (1). Along each upper arm and forearm
 * the outline on each side is where the run of arm pixels from the bone line ends; a running median
 * of it over a stretch of the arm is the arm's own edge, and arm pixels further out than that are
 * the parsing's bites into the clothing beside it (pale jeans, a light top): put in front of a new
 * garment, they drew jagged skin-coloured blobs along its side. Hands are left alone (fingers).
 * `armMask`: the arm pixels to look at (nonzero) instead of the arm labels.
 */
export function raggedArmPixels(a: ModelAnalysis, sk: Skeleton, armMask?: Uint8Array): Uint8Array {
  const { width: W, height: H } = a;
  const lab = a.parsing.data;
  const out = new Uint8Array(W * H);
  const armAt = armMask ? (i: number) => !!armMask[i] : (i: number) => lab[i] === L.left_arm || lab[i] === L.right_arm;
  const isArm = (x: number, y: number) => {
    const xi = Math.round(x), yi = Math.round(y);
    return xi >= 0 && yi >= 0 && xi < W && yi < H && armAt(yi * W + xi);
  };
  const sw = sk.shoulderWidth;
  const win = Math.max(3, Math.round(WINDOW * sw)), tol = Math.max(2, TOLERANCE * sw), reach = Math.round(REACH * sw);
  const segs: Segment[] = [];
  for (const side of ['left', 'right'] as const) for (const s of [sk.arms[side].upper, sk.arms[side].lower]) if (s) segs.push(s);
  for (const s of segs) {
    const dx = s.b.x - s.a.x, dy = s.b.y - s.a.y;
    const len = Math.hypot(dx, dy);
    if (len < 4) continue;
    const ux = dx / len, uy = dy / len, nx = -uy, ny = ux;
    const steps = Math.ceil(len);
    // Each side's run of arm pixels out from the bone line, per station (NaN where the line is off the arm).
    const edge = [new Float32Array(steps + 1).fill(NaN), new Float32Array(steps + 1).fill(NaN)];
    for (let k = 0; k <= steps; k++) {
      const px = s.a.x + ux * k, py = s.a.y + uy * k;
      if (!isArm(px, py)) continue;
      for (const [j, sign] of [[0, -1], [1, 1]] as const) {
        let last = 0, gap = 0;
        for (let d = 1; d <= reach && gap < 2; d++) {
          if (isArm(px + nx * sign * d, py + ny * sign * d)) { last = d; gap = 0; } else gap++;
        }
        edge[j]![k] = last;
      }
    }
    const smooth = edge.map((e) => runningMedian(e, win));
    // Pixels nearest this segment (over its length, not past its ends) beyond the smoothed edge.
    const x0 = Math.max(0, Math.floor(Math.min(s.a.x, s.b.x) - reach)), x1 = Math.min(W - 1, Math.ceil(Math.max(s.a.x, s.b.x) + reach));
    const y0 = Math.max(0, Math.floor(Math.min(s.a.y, s.b.y) - reach)), y1 = Math.min(H - 1, Math.ceil(Math.max(s.a.y, s.b.y) + reach));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * W + x;
        if (!armAt(i)) continue;
        const t = (x - s.a.x) * ux + (y - s.a.y) * uy;
        if (t < 0 || t > len) continue;
        const d = (x - s.a.x) * nx + (y - s.a.y) * ny;
        if (Math.abs(d) > reach || nearerOther(segs, s, x, y, Math.abs(d))) continue;
        const e = smooth[d < 0 ? 0 : 1]![Math.round(t)]!;
        if (e === e && Math.abs(d) > e + tol) out[i] = 1;
      }
    }
  }
  return out;
}

/** Whether another segment is nearer (x, y) than distance d. */
function nearerOther(segs: Segment[], own: Segment, x: number, y: number, d: number): boolean {
  return segs.some((s) => s !== own && segmentDistance(s, x, y) < d);
}

/** Median of the defined values within ±r of each index (NaN where none). */
export function runningMedian(v: Float32Array, r: number): Float32Array {
  const out = new Float32Array(v.length).fill(NaN);
  const win: number[] = [];
  for (let k = 0; k < v.length; k++) {
    win.length = 0;
    for (let j = Math.max(0, k - r); j <= Math.min(v.length - 1, k + r); j++) if (v[j] === v[j]) win.push(v[j]!);
    if (!win.length) continue;
    win.sort((p, q) => p - q);
    out[k] = win[win.length >> 1]!;
  }
  return out;
}
