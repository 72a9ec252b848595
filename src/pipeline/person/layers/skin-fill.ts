// Skin where the old top was: arms continued from their own visible skin, torso from the person's skin tone, shading and grain.
import { PARSE_LABELS, type ModelAnalysis, type Point } from '../../types.js';
import { boxBlur } from '../../composite/guided-filter.js';
import type { BodyOutline } from './body-outline.js';
import { pullPush } from './fill.js';
import { distanceTo } from './raster.js';

const L = PARSE_LABELS;

interface ArmPath {
  pts: Point[];
  /** Arc length at each point. */
  at: number[];
  /** Half widths at each point. */
  hw: number[];
}

/**
 * Arm pixels under the old sleeve: the arm's own visible skin continued in arm coordinates (along the
 * shoulder→elbow→wrist line, across scaled by the expected width). Next to the sleeve's edge the
 * visible skin is mirrored about it, so the two meet without a seam; further in, the colour is the
 * arm's average cross-section near that edge (its tone and round shading) plus the fine grain of
 * the mirrored skin. Mirrored pixels alone repeat every crease and shadow band of a short visible
 * run as stripes across the arm. Returns which hole pixels were filled.
 */
export function fillArms(a: ModelAnalysis, outline: BodyOutline, hole: Uint8Array, skinSrc: Uint8Array, out: Float32Array): Uint8Array {
  const { width: W, height: H } = a;
  const done = new Uint8Array(W * H);
  const img = a.image.data;
  const torso = outline.torsoInner;
  const lum = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) lum[i] = 0.299 * img[i * 4]! + 0.587 * img[i * 4 + 1]! + 0.114 * img[i * 4 + 2]!;
  const lowLum = boxBlur(lum, W, H, 2);
  const BINS = 24, S_MAX = 1.15;
  for (const side of ['left', 'right'] as const) {
    const path = armPath(outline, side);
    if (!path) continue;
    const total = path.at[path.at.length - 1]!;
    const steps = Math.max(2, Math.ceil(total));
    // Stations along the arm where bare skin shows across most of its width.
    const vis = new Uint8Array(steps + 1);
    const tmp = { x: 0, y: 0, nx: 0, ny: 0, hw: 0 };
    for (let k = 0; k <= steps; k++) {
      locate(path, k, tmp);
      let ok = 0;
      for (const s of [-0.6, -0.3, 0, 0.3, 0.6]) {
        const x = Math.round(tmp.x + tmp.nx * s * tmp.hw), y = Math.round(tmp.y + tmp.ny * s * tmp.hw);
        if (x >= 0 && y >= 0 && x < W && y < H && skinSrc[y * W + x]) ok++;
      }
      vis[k] = ok >= 4 ? 1 : 0;
    }
    const nearest = nearestVisible(vis);
    const maxHw = Math.max(...path.hw);
    // Visible stations near a hidden one: their cross-section is the one the hidden arm continues.
    const nearEdge = new Uint8Array(steps + 1);
    const span = Math.max(2, Math.round(2 * maxHw));
    for (let k = 0; k <= steps; k++) {
      if (vis[k]) continue;
      for (let j = Math.max(0, k - span); j <= Math.min(steps, k + span); j++) if (vis[j]) nearEdge[j] = 1;
    }
    let x0 = W, y0 = H, x1 = 0, y1 = 0;
    for (const p of path.pts) { x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y); }
    x0 = Math.max(0, Math.floor(x0 - maxHw)); y0 = Math.max(0, Math.floor(y0 - maxHw));
    x1 = Math.min(W - 1, Math.ceil(x1 + maxHw)); y1 = Math.min(H - 1, Math.ceil(y1 + maxHw));
    const prof = new Float64Array(BINS * 3), cnt = new Float64Array(BINS);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * W + x;
        if (!skinSrc[i] || hole[i]) continue;
        const pr = project(path, x, y);
        if (!pr || Math.abs(pr.s) > S_MAX) continue;
        const k = Math.round(pr.t);
        if (k < 0 || k > steps || !nearEdge[k]) continue;
        const b = Math.min(BINS - 1, Math.floor(((pr.s + S_MAX) / (2 * S_MAX)) * BINS));
        for (let c = 0; c < 3; c++) prof[b * 3 + c] += img[i * 4 + c]!;
        cnt[b]++;
      }
    }
    const profile = smoothProfile(prof, cnt, BINS);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * W + x;
        if (!hole[i] || done[i] || torso[i]) continue;
        const pr = project(path, x, y);
        if (!pr || Math.abs(pr.s) > S_MAX) continue;
        const k = Math.max(0, Math.min(steps, Math.round(pr.t)));
        const kv = nearest[k]!;
        if (kv < 0) continue;
        // Mirror about the first visible station, bouncing inside the visible run.
        const run = runAround(vis, kv);
        let tt = 2 * kv - pr.t;
        const runSpan = Math.max(1, run[1] - run[0]);
        let u = (tt - run[0]) / runSpan;
        u = u - 2 * Math.floor(u / 2);
        tt = run[0] + (u > 1 ? 2 - u : u) * runSpan;
        locate(path, tt, tmp);
        const sx = tmp.x + tmp.nx * pr.s * tmp.hw, sy = tmp.y + tmp.ny * pr.s * tmp.hw;
        const xi = Math.round(sx), yi = Math.round(sy);
        const mirrored = xi >= 0 && yi >= 0 && xi < W && yi < H && skinSrc[yi * W + xi] ? yi * W + xi : -1;
        const pb = profile ? Math.max(0, Math.min(BINS - 1, ((pr.s + S_MAX) / (2 * S_MAX)) * BINS - 0.5)) : 0;
        if (mirrored < 0 && !profile) continue;
        // Mirrored next to the edge, the cross-section further in.
        const f = !profile ? 0 : mirrored < 0 ? 1 : Math.min(1, Math.abs(pr.t - kv) / Math.max(2, 0.6 * tmp.hw));
        const grainV = mirrored >= 0 ? Math.max(-6, Math.min(6, lum[mirrored]! - lowLum[mirrored]!)) : 0;
        const b0 = Math.floor(pb), b1 = Math.min(BINS - 1, b0 + 1), fb = pb - b0;
        for (let c = 0; c < 3; c++) {
          const pc = profile ? profile[b0 * 3 + c]! * (1 - fb) + profile[b1 * 3 + c]! * fb + grainV : 0;
          const mc = mirrored >= 0 ? img[mirrored * 4 + c]! : 0;
          out[i * 3 + c] = mc * (1 - f) + pc * f;
        }
        done[i] = 1;
      }
    }
  }
  return done;
}

/** The cross-section's mean colour per bin, empty bins taken from their neighbours, lightly smoothed; null when too little skin shows. */
function smoothProfile(sum: Float64Array, cnt: Float64Array, bins: number): Float64Array | null {
  let total = 0;
  for (let b = 0; b < bins; b++) total += cnt[b]!;
  if (total < 30) return null;
  const mean = new Float64Array(bins * 3);
  const has = new Uint8Array(bins);
  for (let b = 0; b < bins; b++) if (cnt[b]! >= 3) { has[b] = 1; for (let c = 0; c < 3; c++) mean[b * 3 + c] = sum[b * 3 + c]! / cnt[b]!; }
  for (let b = 0; b < bins; b++) {
    if (has[b]) continue;
    let d = 1;
    while (d < bins && !((b - d >= 0 && has[b - d]) || (b + d < bins && has[b + d]))) d++;
    if (d >= bins) return null;
    const j = b - d >= 0 && has[b - d] ? b - d : b + d;
    for (let c = 0; c < 3; c++) mean[b * 3 + c] = mean[j * 3 + c]!;
  }
  const out = new Float64Array(bins * 3);
  for (let b = 0; b < bins; b++) {
    for (let c = 0; c < 3; c++) {
      let s = 0, k = 0;
      for (let j = Math.max(0, b - 1); j <= Math.min(bins - 1, b + 1); j++) { s += mean[j * 3 + c]!; k++; }
      out[b * 3 + c] = s / k;
    }
  }
  return out;
}

/**
 * The body's shading gain with a round arm's relief where an arm is synthesised without skin of its
 * own to copy (a long sleeve down to the wrist): lit along its middle, darker towards its edges, as a
 * cylinder under soft light. The torso's gain, from distance to the outline, is nearly flat across a
 * thin limb, and a flat fill reads as a painted block.
 */
export function armRelief(a: ModelAnalysis, outline: BodyOutline, hole: Uint8Array, shade: Float32Array): Float32Array {
  const { width: W, height: H } = a;
  const out = new Float32Array(shade);
  const torso = outline.torsoInner;
  for (const side of ['left', 'right'] as const) {
    const path = armPath(outline, side);
    if (!path) continue;
    const maxHw = Math.max(...path.hw);
    let x0 = W, y0 = H, x1 = 0, y1 = 0;
    for (const p of path.pts) { x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y); }
    x0 = Math.max(0, Math.floor(x0 - 1.2 * maxHw)); y0 = Math.max(0, Math.floor(y0 - 1.2 * maxHw));
    x1 = Math.min(W - 1, Math.ceil(x1 + 1.2 * maxHw)); y1 = Math.min(H - 1, Math.ceil(y1 + 1.2 * maxHw));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * W + x;
        if (!hole[i] || torso[i]) continue;
        const pr = project(path, x, y);
        if (!pr || Math.abs(pr.s) > 1.2) continue;
        const c = Math.min(1, Math.abs(pr.s));
        out[i] = 0.8 + 0.26 * Math.sqrt(1 - c * c);
      }
    }
  }
  return out;
}

/**
 * The rest of the skin hole: the person's skin tone carried in from the nearest skin (smoothed,
 * so no single mole or shadow spreads), times the body's shading, plus fine grain from a patch of
 * real skin so it reads as skin, not paint.
 */
export function fillTorso(a: ModelAnalysis, hole: Uint8Array, skinSrc: Uint8Array, shade: Float32Array, out: Float32Array): void {
  const { width: W, height: H } = a;
  const n = W * H;
  const img = a.image.data;
  const rgb = new Float32Array(n * 3);
  const ch = new Float32Array(n);
  const r = Math.max(2, Math.round(Math.max(W, H) / 300));
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) ch[i] = img[i * 4 + c]!;
    const b = boxBlur(ch, W, H, r);
    for (let i = 0; i < n; i++) rgb[i * 3 + c] = b[i]!;
  }
  const base = pullPush(rgb, W, H, hole, skinSrc);
  const grain = skinGrain(a, skinSrc);
  for (let i = 0; i < n; i++) {
    if (!hole[i]) continue;
    const g = shade[i]!;
    const e = grain ? grain(i % W, (i / W) | 0) : 0;
    for (let c = 0; c < 3; c++) out[i * 3 + c] = base[i * 3 + c]! * g + e;
  }
}

/** Zero-mean luminance detail of the deepest patch of visible skin, tiled by mirroring. */
function skinGrain(a: ModelAnalysis, skinSrc: Uint8Array): ((x: number, y: number) => number) | null {
  const { width: W, height: H } = a;
  const n = W * H;
  const not = new Uint8Array(n);
  for (let i = 0; i < n; i++) not[i] = skinSrc[i] ? 0 : 1;
  const d = distanceTo(not, W, H);
  let best = 0, bi = -1;
  for (let i = 0; i < n; i++) if (d[i]! > best) { best = d[i]!; bi = i; }
  const half = Math.min(32, Math.floor(best * 0.6));
  if (half < 3) return null;
  const cx = bi % W, cy = (bi / W) | 0;
  const side = 2 * half;
  const lum = new Float32Array(side * side);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const p = ((cy - half + y) * W + cx - half + x) * 4;
      lum[y * side + x] = 0.299 * a.image.data[p]! + 0.587 * a.image.data[p + 1]! + 0.114 * a.image.data[p + 2]!;
    }
  }
  const low = boxBlur(lum, side, side, 2);
  const hp = new Float32Array(side * side);
  for (let i = 0; i < hp.length; i++) hp[i] = lum[i]! - low[i]!;
  // A crease or a mole in the patch would repeat as a pattern: keep only the fine, noise-like part.
  const abs = Array.from(hp, Math.abs).sort((p, q) => p - q);
  const lim = 2.5 * 1.48 * abs[abs.length >> 1]!;
  for (let i = 0; i < hp.length; i++) hp[i] = Math.max(-lim, Math.min(lim, hp[i]!));
  const mirror = (v: number) => { const m = v % (2 * side); return m < side ? m : 2 * side - 1 - m; };
  // At full strength the mirrored tile reads as a repeating pattern over a large fill: half of it.
  return (x, y) => 0.5 * hp[mirror(y) * side + mirror(x)]!;
}

function armPath(outline: BodyOutline, side: 'left' | 'right'): ArmPath | null {
  const arm = outline.skeleton.arms[side];
  const caps = outline.arms.filter((c) => c.side === side);
  if (!arm.upper || caps.length === 0) return null;
  const pts: Point[] = [arm.upper.a, arm.upper.b];
  const hw = [caps[0]!.ra, caps[0]!.rb];
  if (arm.lower && caps[1]) { pts.push(arm.lower.b); hw.push(caps[1].rb); }
  const at = [0];
  for (let i = 1; i < pts.length; i++) at.push(at[i - 1]! + Math.hypot(pts[i]!.x - pts[i - 1]!.x, pts[i]!.y - pts[i - 1]!.y));
  return { pts, at, hw };
}

/** Point, unit normal and half width at arc length t. */
function locate(p: ArmPath, t: number, o: { x: number; y: number; nx: number; ny: number; hw: number }): void {
  let k = 0;
  while (k < p.pts.length - 2 && t > p.at[k + 1]!) k++;
  const a = p.pts[k]!, b = p.pts[k + 1]!;
  const len = p.at[k + 1]! - p.at[k]! || 1;
  const f = Math.max(0, Math.min(1, (t - p.at[k]!) / len));
  o.x = a.x + (b.x - a.x) * f; o.y = a.y + (b.y - a.y) * f;
  o.nx = -(b.y - a.y) / len; o.ny = (b.x - a.x) / len;
  o.hw = p.hw[k]! + (p.hw[k + 1]! - p.hw[k]!) * f;
}

/** Arc length and width-scaled signed offset of (x, y) from the nearest segment of the path. */
function project(p: ArmPath, x: number, y: number): { t: number; s: number } | null {
  let best = Infinity, bt = 0, bs = 0;
  for (let k = 0; k + 1 < p.pts.length; k++) {
    const a = p.pts[k]!, b = p.pts[k + 1]!;
    const vx = b.x - a.x, vy = b.y - a.y;
    const len = Math.hypot(vx, vy) || 1;
    const f = Math.max(0, Math.min(1, ((x - a.x) * vx + (y - a.y) * vy) / (len * len)));
    const px = a.x + vx * f, py = a.y + vy * f;
    const d = Math.hypot(x - px, y - py);
    if (d >= best) continue;
    best = d;
    const hw = p.hw[k]! + (p.hw[k + 1]! - p.hw[k]!) * f;
    bt = p.at[k]! + f * len;
    bs = ((x - px) * -vy / len + (y - py) * vx / len) / Math.max(1, hw);
  }
  return best === Infinity ? null : { t: bt, s: bs };
}

function nearestVisible(vis: Uint8Array): Int32Array {
  const n = vis.length;
  const out = new Int32Array(n).fill(-1);
  let last = -1;
  for (let k = 0; k < n; k++) { if (vis[k]) last = k; out[k] = last; }
  last = -1;
  for (let k = n - 1; k >= 0; k--) {
    if (vis[k]) last = k;
    if (last >= 0 && (out[k]! < 0 || last - k < k - out[k]!)) out[k] = last;
  }
  return out;
}

function runAround(vis: Uint8Array, k: number): [number, number] {
  let a = k, b = k;
  while (a > 0 && vis[a - 1]) a--;
  while (b < vis.length - 1 && vis[b + 1]) b++;
  return [a, b];
}

export const SKIN_SOURCE_LABELS = new Set<number>([L.left_arm, L.right_arm, L.neck, L.torso_skin]);
