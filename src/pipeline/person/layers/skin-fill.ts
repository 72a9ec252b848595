// Skin where the old top was: arms continued from their own visible skin, torso from the person's skin tone, shading and grain.
import { maskExtent } from '../../image.js';
import { PARSE_LABELS, type ModelAnalysis, type Point } from '../../types.js';
import { boxBlur } from '../../composite/guided-filter.js';
import type { BodyOutline } from './body-outline.js';
import type { Skeleton } from '../skeleton.js';
import { distanceInside, distanceTo, distanceUpTo, type Box } from './raster.js';

const L = PARSE_LABELS;

/** Within this share of its half width, an arm under the old top is drawn as arm over the torso's outline. */
const ARM_OVER_TORSO = 0.95;
/** The band below an old sleeve's hem faded into the fill, in shoulder widths. */
const SEAM = 0.035;
/** Room an arm's fill keeps beyond its bare cross-section's edges, in half widths. */
const EDGE_EASE = 0.08;

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
 * run as stripes across the arm. Writes the fill into `out`; returns where it went (ArmFill).
 */
export function fillArms(a: ModelAnalysis, outline: BodyOutline, hole: Uint8Array, skinSrc: Uint8Array, out: Float32Array, beside?: Uint8Array): ArmFill {
  const { width: W, height: H } = a;
  const done = new Uint8Array(W * H);
  const limb = new Uint8Array(W * H);
  const outside = new Uint8Array(W * H);
  const seam = new Float32Array(W * H);
  const cover = new Float32Array(W * H).fill(1);
  const seamStations = Math.max(2, Math.round(SEAM * outline.skeleton.shoulderWidth));
  const holeDist = distanceUpTo(hole, W, H, seamStations);
  const lab = a.parsing.data;
  const img = a.image.data;
  const torso = outline.torsoInner;
  const lum = new Float32Array(W * H);
  for (let i = 0; i < W * H; i++) lum[i] = 0.299 * img[i * 4]! + 0.587 * img[i * 4 + 1]! + 0.114 * img[i * 4 + 2]!;
  const lowLum = boxBlur(lum, W, H, 2);
  const isArm = (i: number) => lab[i] === L.left_arm || lab[i] === L.right_arm;
  const armSkin = (i: number) => !!skinSrc[i] && isArm(i);
  /** The skin's fine grain at pixel m (its detail over a 5×5 mean, clamped), 0 without a source. */
  const grainAt = (m: number) => (m >= 0 ? Math.max(-6, Math.min(6, lum[m]! - lowLum[m]!)) : 0);
  /** Pixel i: the mirrored skin m (none: -1) next to the edge, weight f on the cross-section `prof` at bin pb plus m's grain. */
  const blend = (i: number, m: number, f: number, prof: Float64Array | null, pb: number) => {
    const g = grainAt(m);
    const b0 = Math.floor(pb), b1 = Math.min(BINS - 1, b0 + 1), fb = pb - b0;
    // The cross-section repeats all along the hidden arm: the skin's uneven tone keeps it from a flat band.
    const mo = prof ? mottle(i % W, (i / W) | 0, H) : 1;
    for (let c = 0; c < 3; c++) {
      const pc = prof ? (prof[b0 * 3 + c]! * (1 - fb) + prof[b1 * 3 + c]! * fb) * mo + g : 0;
      const mc = m >= 0 ? img[m * 4 + c]! : 0;
      out[i * 3 + c] = mc * (1 - f) + pc * f;
    }
  };
  const BINS = 24, S_MAX = 1.15, S_WIDE = 1.6;
  for (const side of ['left', 'right'] as const) {
    const path = armPath(outline, side);
    if (!path) continue;
    const total = path.at[path.at.length - 1]!;
    const steps = Math.max(2, Math.ceil(total));
    // Stations along the arm where bare skin shows across most of its width.
    const vis = new Uint8Array(steps + 1);
    // Stations where the old top hides the arm.
    const sleeved = new Uint8Array(steps + 1);
    // Of those, stations where it hides the arm's middle: a sleeve over it. Old top only at the arm's
    // sides is the torso's side overlapping an arm that hangs close behind it (or a slanted hem's corner).
    const overMid = new Uint8Array(steps + 1);
    const tmp = { x: 0, y: 0, nx: 0, ny: 0, hw: 0 };
    for (let k = 0; k <= steps; k++) {
      locate(path, k, tmp);
      let ok = 0, hid = 0, hidMid = 0;
      for (const s of [-0.6, -0.3, 0, 0.3, 0.6]) {
        const x = Math.round(tmp.x + tmp.nx * s * tmp.hw), y = Math.round(tmp.y + tmp.ny * s * tmp.hw);
        if (x < 0 || y < 0 || x >= W || y >= H) continue;
        if (skinSrc[y * W + x]) ok++;
        if (hole[y * W + x]) { hid++; if (Math.abs(s) < 0.5) hidMid++; }
      }
      // The path runs between the joints, not always down the arm's middle: a bare arm beside it
      // counts too (a run of skin across at least 0.8 of a half width on each side of some point).
      let run = 0, longest = 0;
      if (ok < 4) {
        for (let s = -1.2; s <= 1.2001; s += 0.1) {
          const x = Math.round(tmp.x + tmp.nx * s * tmp.hw), y = Math.round(tmp.y + tmp.ny * s * tmp.hw);
          const inArm = x >= 0 && y >= 0 && x < W && y < H && armSkin(y * W + x) && !hole[y * W + x];
          run = inArm ? run + 1 : 0;
          longest = Math.max(longest, run);
        }
      }
      vis[k] = ok >= 4 || longest >= 16 ? 1 : 0;
      sleeved[k] = !vis[k] && hid > 0 ? 1 : 0;
      overMid[k] = !vis[k] && hidMid > 0 ? 1 : 0;
    }
    // Right below an old sleeve's hem the skin is in the sleeve's shadow and its edge pixels carry
    // the sleeve's colour: mirrored, they drew a dark line across the arm. The fill mirrors from
    // stations clear of that band, and the band itself fades from the fill into the photo's skin.
    const clean = new Uint8Array(steps + 1);
    for (let k = 0; k <= steps; k++) {
      if (!vis[k]) continue;
      let near = false;
      for (let j = 1; j <= seamStations && !near; j++) near = (k - j >= 0 && !!overMid[k - j]) || (k + j <= steps && !!overMid[k + j]);
      clean[k] = near ? 0 : 1;
    }
    if (clean.some((v) => v)) vis.set(clean);
    // The bare arm's own outer edge (offset across, in half widths, on the side away from the body)
    // where it shows: under the sleeve the arm keeps the width of its nearest bare cross-section, not
    // the old sleeve's outline. Only the outer side: between the arm and the torso the old top may
    // hide the body's side.
    const sk = outline.skeleton;
    locate(path, total / 2, tmp);
    const outer = Math.sign(tmp.nx * (tmp.x - (sk.shoulderL.x + sk.shoulderR.x) / 2) + tmp.ny * (tmp.y - (sk.shoulderL.y + sk.shoulderR.y) / 2)) || 1;
    const edge = new Float32Array(steps + 1).fill(NaN);
    for (let k = 0; k <= steps; k++) {
      if (!vis[k]) continue;
      locate(path, k, tmp);
      let last = 0;
      for (let s = 0; s <= 1.6; s += 0.04) {
        const x = Math.round(tmp.x + tmp.nx * outer * s * tmp.hw), y = Math.round(tmp.y + tmp.ny * outer * s * tmp.hw);
        if (x < 0 || y < 0 || x >= W || y >= H) break;
        if (skinSrc[y * W + x]) last = s;
        else if (s - last > 0.12) break;
      }
      edge[k] = last;
    }
    if (!vis.some((v) => v)) {
      // A long sleeve hides the whole arm: drawn from the hand's own skin, if it shows.
      armFromHand(a, path, outer, hole, beside, torso, lum, lowLum, litSkinTone(a, hole, skinSrc, ARM_TONE), out, { done, outside, limb, cover });
      continue;
    }
    const nearest = nearestVisible(vis);
    const maxHw = Math.max(...path.hw);
    const span = Math.max(2, Math.round(2 * maxHw));
    // Stations within an arm's width of one the old top hides.
    const besideSleeve = new Uint8Array(steps + 1);
    const sleeveReach = Math.max(2 * seamStations, span);
    for (let k = 0; k <= steps; k++) {
      if (!sleeved[k]) continue;
      for (let j = Math.max(0, k - sleeveReach); j <= Math.min(steps, k + sleeveReach); j++) besideSleeve[j] = 1;
    }
    // Stations within the shadow band below one where the old top covers the arm's middle: under a sleeve's hem.
    const hemAbove = new Uint8Array(steps + 1);
    for (let k = 0; k <= steps; k++) for (let j = Math.max(0, k - seamStations); j < k && !hemAbove[k]; j++) hemAbove[k] = overMid[j]!;
    const upper = upperArmEdges(path, vis, steps, outer, W, H, (x, y) => armSkin(y * W + x), (x, y) => !!torso[y * W + x], (x, y) => {
      const i = y * W + x;
      // The backdrop: outside the person's mask, or parsed as backdrop on its soft rim.
      return hole[i] || beside?.[i] || isArm(i) ? 0 : a.mask.data[i]! < 128 || lab[i] === L.background ? 1 : -1;
    });
    // Visible stations near a hidden one: their cross-section is the one the hidden arm continues.
    const nearEdge = new Uint8Array(steps + 1);
    for (let k = 0; k <= steps; k++) {
      if (vis[k]) continue;
      for (let j = Math.max(0, k - span); j <= Math.min(steps, k + span); j++) if (vis[j]) nearEdge[j] = 1;
    }
    // Under a short sleeve the old sleeve beside the arm is looked at further out (it turns backdrop).
    const { x0, y0, x1, y1 } = pathBox(path, W, H, (upper ? S_WIDE : 1) * maxHw);
    const prof = new Float64Array(BINS * 3), cnt = new Float64Array(BINS);
    const uProf = new Float64Array(BINS * 3), uCnt = new Float64Array(BINS);
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
        if (upper && k >= upper.k0 && k <= upper.k1) {
          const u = (outer * pr.s * pr.hw - upper.lo(pr.t)) / Math.max(1, upper.hi(pr.t) - upper.lo(pr.t));
          if (u < 0 || u > 1) continue;
          const ub = Math.min(BINS - 1, Math.floor(u * BINS));
          for (let c = 0; c < 3; c++) uProf[ub * 3 + c] += img[i * 4 + c]!;
          uCnt[ub]++;
        }
      }
    }
    const profile = smoothProfile(prof, cnt, BINS);
    // The upper arm's cross-section repeats all the way up to the shoulder: smoothed wider, so the
    // bare run's creases and uneven bins do not run up the arm as vertical bands.
    const uProfile = upper ? smoothProfile(uProf, uCnt, BINS, 3) : null;
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const i = y * W + x;
        if (done[i] || outside[i]) continue;
        const pr = project(path, x, y);
        if (!pr || Math.abs(pr.s) > (upper && pr.t < upper.k0 ? S_WIDE : S_MAX)) continue;
        const k = Math.max(0, Math.min(steps, Math.round(pr.t)));
        // Beside a stretch of bare arm, away from any sleeve, old top is the clothing around the arm
        // (a shadow, a fringe against the trousers), not arm: drawn as arm it stood in front of the
        // new garment as skin-coloured blobs along its side.
        if (hole[i] && !besideSleeve[k]) continue;
        // Bare skin in the band below a hem is faded into the fill; elsewhere only the hole is filled.
        // On the upper arm right below a sleeve's hem that includes arm over the torso's outline: on an
        // arm hanging close beside the body the sleeve's shadow had stayed as a dark line across it.
        const band = !hole[i] && holeDist[i]! < seamStations && isArm(i) && (!torso[i] || (pr.t < path.at[1]! && !!hemAbove[k]));
        // Old top outside the body's outline, below the shoulder joint, is the arm's where the bare
        // arm's edges carried up say so (over the joint it is the shoulder's outline: backdrop).
        const besideArm = !!beside?.[i] && !!upper && pr.t < upper.k0 && pr.t > 0;
        if (!hole[i] && !band && !besideArm) continue;
        // An arm hanging against the torso under the old sleeve lies over the torso's outline: there
        // it is still an arm (its own round shading, darker towards its edges), not torso skin —
        // below the joint only, and only where the sleeve hides the arm (beside a bare arm the old
        // top over the torso's outline is the torso's side).
        const upperArm = !!upper && !!uProfile && (hole[i] || besideArm) && pr.t < upper.k0;
        if (torso[i] && !upperArm && !band && (Math.abs(pr.s) > ARM_OVER_TORSO || pr.t < 0.3 * path.hw[0]! || !sleeved[k])) continue;
        const kv = nearest[k]!;
        if (kv < 0) continue;
        if (upperArm && upper && uProfile) {
          // The upper arm under a short sleeve: between the bare arm's own edges carried up, to the
          // shoulder joint and over it (no corner of the old sleeve's cap standing out beside it),
          // in front of the torso's side and corner; the torso's corner standing out beyond the
          // arm's outer edge, or above its round top, is backdrop (it stood there as a square shelf
          // of skin at the old top's shoulder).
          const d = outer * pr.s * pr.hw, lo = upper.lo(pr.t), hi = upper.hi(pr.t);
          const ease = Math.max(1.5, EDGE_EASE * pr.hw);
          if (d > hi + ease) {
            if (hole[i]) outside[i] = 1;
            continue;
          }
          if (d < lo - ease) {
            // Between the arm and the torso, below the armpit, the backdrop shows; nearer the
            // shoulder that is the shoulder itself, left to the torso's fill.
            if (!torso[i] && hole[i] && pr.t > 0.3 * upper.elbow) outside[i] = 1;
            continue;
          }
          const u = Math.max(0, Math.min(1, (d - lo) / Math.max(1, hi - lo)));
          // Over the joint only the arm's own rounded top.
          const overJoint = pr.t <= 0 ? beyondJoint(path, x, y) : 0;
          if (overJoint > 0 && overJoint > 0.5 * (hi - lo) * Math.sqrt(Math.max(0, 1 - (2 * u - 1) ** 2))) {
            // Above it, the outer half is backdrop, and so is the inner half above the shoulder's
            // line rising from the round top towards the neck (the old top's square shoulder).
            if (hole[i] && (u > 0.5 || aboveShoulderLine(overJoint, 0.5 * (hi - lo), (0.5 - u) * (hi - lo)))) outside[i] = 1;
            continue;
          }
          const pb = Math.max(0, Math.min(BINS - 1, u * BINS - 0.5));
          // Fine grain from the bare skin right below, at the same place across the arm: mirrored
          // about the hem, and on up bouncing inside the bare run (clamped to its last row, every
          // pixel of a column took the same grain and the upper arm was drawn in vertical streaks).
          const run = Math.max(1, upper.k1 - upper.k0), up = (upper.k0 - pr.t) % (2 * run);
          const tt = upper.k0 + (up <= run ? up : 2 * run - up);
          locate(path, tt, tmp);
          const ds = (upper.lo(tt) + u * (upper.hi(tt) - upper.lo(tt))) * outer;
          const xi = Math.round(tmp.x + tmp.nx * ds), yi = Math.round(tmp.y + tmp.ny * ds);
          const m = xi >= 0 && yi >= 0 && xi < W && yi < H && skinSrc[yi * W + xi] ? yi * W + xi : -1;
          // Mirrored right at the hem (the two meet without a step), the cross-section further up.
          blend(i, m, m < 0 ? 1 : Math.min(1, (upper.k0 - pr.t) / Math.max(2, 0.6 * tmp.hw)), uProfile, pb);
          done[i] = 1;
          if (hole[i] && pr.t > 0) limb[i] = 1;
          continue;
        }
        if (Math.abs(pr.s) > S_MAX) continue;
        if (hole[i] && !torso[i] && pr.t > 0 && outer * pr.s > edge[kv]! + EDGE_EASE) {
          outside[i] = 1;
          continue;
        }
        // Squared: the sleeve's shadow is deepest near the hem, and a linear fade let it through
        // there as a dark line along the old hem.
        if (band) seam[i] = (holeDist[i]! / seamStations) ** 2;
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
        blend(i, mirrored, !profile ? 0 : mirrored < 0 ? 1 : Math.min(1, Math.abs(pr.t - kv) / Math.max(2, 0.6 * tmp.hw)), profile, pb);
        done[i] = 1;
        if (hole[i] && pr.t > 0) limb[i] = 1;
      }
    }
  }
  return { done, outside, seam, limb, cover };
}

/**
 * Luma percentiles of the visible skin whose mean colour an arm drawn under a long sleeve takes: an
 * arm shows the body's mid tone, not the lit tone of a torso facing the camera (that, with the hand's
 * paler tone, read as washed out on darker skin).
 */
const ARM_TONE = [0.35, 0.65] as const;
/**
 * A hanging arm's wrist as a share of its hand's widest run seen from the front: 0.57 and 0.54–0.61 on
 * the bare arms of the sample photos (00121, 00034). Taken as the hand's width, the wrist drew every
 * arm under a long sleeve as a wide straight tube.
 */
export const WRIST_OF_HAND = 0.6;
/** Share of the arm's length, from the wrist, over which its tone turns to the hand's. */
const HAND_REACH = 0.3;
/**
 * A hanging arm's half width along it, in wrist half widths, at shares of the upper arm (shoulder
 * joint → elbow) and of the forearm (elbow → wrist): the deltoid, narrower below it, the biceps, the
 * elbow; the forearm widest a quarter down from the elbow, tapering to the wrist. A straight taper
 * drew a ruler-edged tube.
 */
const UPPER_CONTOUR: readonly [number, number][] = [[0, 1.62], [0.2, 1.62], [0.45, 1.46], [0.7, 1.52], [1, 1.3]];
const FOREARM_CONTOUR: readonly [number, number][] = [[0, 1.3], [0.25, 1.46], [0.6, 1.2], [1, 1]];

/** The arm's half width at arc length t (elbow at `elbowAt`, wrist at `total`), in wrist half widths. */
export function armContour(t: number, elbowAt: number, total: number): number {
  const [pts, u] = t <= elbowAt ? [UPPER_CONTOUR, t / Math.max(1, elbowAt)] : [FOREARM_CONTOUR, (t - elbowAt) / Math.max(1, total - elbowAt)];
  const v = Math.max(0, Math.min(1, u));
  let k = 0;
  while (k < pts.length - 2 && v > pts[k + 1]![0]) k++;
  const [u0, f0] = pts[k]!, [u1, f1] = pts[k + 1]!;
  // Eased between the points: the outline bends smoothly, with no corner at each.
  const s = Math.max(0, Math.min(1, (v - u0) / (u1 - u0)));
  return f0 + (f1 - f0) * s * s * (3 - 2 * s);
}
/** A drawn arm's cross-section: gain at its lit line (at ARM_PEAK of its half width, inner side < 0) and at its inner and outer edges. */
const ARM_PEAK = -0.25, ARM_LIT = 1.03, ARM_INNER = 0.68, ARM_OUTER = 0.84;
/** Share of white mixed in along a drawn arm's lit line. */
const ARM_SHEEN = 0.08;
/** Rise over run of the shoulder's line from the top of the arm's round top towards the neck. */
const SHOULDER_SLOPE = 0.5;

/**
 * Whether a point `height` above the shoulder joint and `inward` of the arm's top (towards the neck)
 * lies above the shoulder's line, which rises from the arm's round top (`cap` above the joint).
 */
function aboveShoulderLine(height: number, cap: number, inward: number): boolean {
  return height > cap + SHOULDER_SLOPE * inward;
}

/**
 * A whole arm under a long old sleeve, with no bare arm skin to continue: drawn in the body's mid
 * tone turning to the hand's lit tone by the wrist, as a round limb (lit a little inside its middle,
 * darkest on its inner side, a faint sheen along its lit line) with the hand's own fine grain and a
 * round top over the shoulder joint, its width following an arm's outline (armContour) in proportion
 * to the wrist's width (WRIST_OF_HAND of the hand's widest run past the sleeve), its edge anti-aliased
 * by the share of each pixel it covers (`cover`). The old sleeve around it, and the torso's corner
 * beside its round top, turn backdrop; old sleeve outside the body's outline (`beside`) inside the
 * arm's outline is arm. At the cuff it meets the hand without a line: the cuff's dark fringe on the
 * hand is the hand's own skin from a little further on, and the arm's last pixels turn to the colour
 * of the hand below them. Nothing is drawn when the hand does not show: the torso's fill then takes
 * the sleeve.
 */
function armFromHand(a: ModelAnalysis, path: ArmPath, outer: number, hole: Uint8Array, beside: Uint8Array | undefined, torso: Uint8Array, lum: Float32Array, lowLum: Float32Array, body: [number, number, number] | null, out: Float32Array, fill: Omit<ArmFill, 'seam'>): void {
  const { done, outside, limb, cover } = fill;
  const { width: W, height: H } = a;
  const lab = a.parsing.data, img = a.image.data;
  const wrist = path.pts[path.pts.length - 1]!;
  const total = path.at[path.at.length - 1]!;
  const reach = 1.5 * path.hw[path.hw.length - 1]! + 4;
  // The hand's pixels near the wrist: their lit tone (40th–90th luma percentile) and grain.
  const hand: number[] = [];
  for (let y = Math.max(0, Math.floor(wrist.y - 2 * reach)); y <= Math.min(H - 1, wrist.y + 2 * reach); y++) {
    for (let x = Math.max(0, Math.floor(wrist.x - 2 * reach)); x <= Math.min(W - 1, wrist.x + 2 * reach); x++) {
      const i = y * W + x;
      if (lab[i] === L.hands && !hole[i]) hand.push(i);
    }
  }
  if (hand.length < 50) return;
  hand.sort((p, q) => lum[p]! - lum[q]!);
  const tone = [0, 0, 0];
  const lit = hand.slice(Math.floor(0.4 * hand.length), Math.floor(0.9 * hand.length));
  for (const i of lit) for (let c = 0; c < 3; c++) tone[c] += img[i * 4 + c]! / lit.length;
  const detail = hand.map((i) => Math.abs(lum[i]! - lowLum[i]!)).sort((p, q) => p - q);
  const amp = 1.48 * detail[detail.length >> 1]!;
  // The hand's half width: its widest run across the forearm's line, just past the sleeve.
  const tmp = { x: 0, y: 0, nx: 0, ny: 0, hw: 0 };
  let handHw = 0;
  // Past the wrist the forearm's line goes on straight.
  const before = path.pts[path.pts.length - 2]!, last = path.at.length - 1;
  const dx = (wrist.x - before.x) / Math.max(1, path.at[last]! - path.at[last - 1]!), dy = (wrist.y - before.y) / Math.max(1, path.at[last]! - path.at[last - 1]!);
  for (let t = total - 0.2 * reach; t <= total + reach; t += 1) {
    locate(path, Math.min(t, total), tmp);
    const past = Math.max(0, t - total), ox = past * dx, oy = past * dy;
    let run = 0, best = 0;
    for (let d = -2 * tmp.hw; d <= 2 * tmp.hw; d += 1) {
      const x = Math.round(tmp.x + ox + tmp.nx * d), y = Math.round(tmp.y + oy + tmp.ny * d);
      const ok = x >= 0 && y >= 0 && x < W && y < H && lab[y * W + x] === L.hands;
      run = ok ? run + 1 : 0;
      best = Math.max(best, run);
    }
    handHw = Math.max(handHw, best / 2);
  }
  if (handHw < 3) return;
  const wristHw = WRIST_OF_HAND * handHw;
  // Never wider than the old sleeve's capsule: the arm is inside it.
  const elbowAt = path.at[1]!;
  const halfAt = (t: number) => armContour(t, elbowAt, total) * wristHw;
  const outerEdge = sleeveOuterEdge(a, path, outer, hole, beside, Math.max(3, Math.round(SLEEVE_NOTCH * wristHw)));
  const joint = path.pts[0]!;
  // The joint's normal, pointing away from the body (outer > 0 there).
  locate(path, 0, tmp);
  const ox = tmp.nx * outer, oy = tmp.ny * outer;
  const { x0, y0, x1, y1 } = pathBox(path, W, H, 1.2 * Math.max(...path.hw));
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * W + x;
      // The old sleeve outside the body's outline is the arm's too where its own outline says so:
      // clipped by the sleeve's outline instead, the arm's edge was the seam between two fills.
      const besideOnly = !hole[i] && !!beside?.[i];
      if ((!hole[i] && !besideOnly) || done[i]) continue;
      const pr = project(path, x, y);
      if (!pr || Math.abs(pr.s) > 1.2) continue;
      // The arm is in front of the torso's side and corner, its round top (the deltoid) over the
      // shoulder joint too; the old sleeve's cap standing out beyond it is backdrop. Only well inside
      // the joint does the torso's slope to the neck go on beside it. With the torso in front near
      // the joint, the torso's corner stood over the arm as a square shelf of skin.
      const cap = pr.t <= 0;
      const outward = cap ? (x - joint.x) * ox + (y - joint.y) * oy : pr.s * outer * pr.hw;
      const d = cap ? Math.hypot(x - joint.x, y - joint.y) : Math.abs(pr.s) * pr.hw;
      let hw = Math.min(halfAt(Math.max(0, pr.t)), pr.hw);
      // On its outer side, inside the sleeve's own outline (smoothed: not into its folds' notches).
      if (!cap && outward > 0) hw = Math.min(hw, outerEdge[Math.max(0, Math.min(outerEdge.length - 1, Math.round(pr.t)))]!);
      // The pixel's share inside the arm's edge (a pixel's box across a straight edge), and never
      // past the sleeve's own silhouette (the person's soft mask): an arm is inside its sleeve.
      const c = Math.min(1, hw + 0.5 - d, a.mask.data[i]! / 255);
      if (c <= 0) {
        // The old sleeve standing out beside the arm, or the torso's corner outside it: backdrop.
        // Inside the arm (towards the body) the torso's, over the joint up to the slope that rises
        // from the arm's round top to the neck.
        const up = cap ? -((x - joint.x) * oy - (y - joint.y) * ox) * outer : 0;
        const underSlope = !!torso[i] && outward <= 0 && (!cap || !aboveShoulderLine(up, hw, -outward));
        if (!underSlope && !besideOnly) outside[i] = 1;
        continue;
      }
      if (c < 1) cover[i] = c;
      // Lit a little inside its middle, darkest on its inner side (against the body, out of the
      // light), less so on its outer side: a photographed arm's profile (0.66, 1, 0.83 across).
      const u = Math.max(-1, Math.min(1, (outward >= 0 ? d : -d) / Math.max(1, hw)));
      const v = u < ARM_PEAK ? (ARM_PEAK - u) / (1 + ARM_PEAK) : (u - ARM_PEAK) / (1 - ARM_PEAK);
      const g = (ARM_LIT - (ARM_LIT - (u < ARM_PEAK ? ARM_INNER : ARM_OUTER)) * v ** 1.6) * mottle(x, y, H);
      const e = amp * GRAIN_SCALE * (hash(x, y) + hash(x + 1, y) + hash(x, y + 1) + hash(x + 1, y + 1));
      // The body's own mid tone along the arm, turning to the hand's over the forearm's last third.
      const w = body ? Math.min(1, Math.max(0, (pr.t - (1 - HAND_REACH) * total) / (HAND_REACH * total))) : 1;
      // A faint sheen along the lit line: the light's own colour mixed in, as on the photo's skin.
      const sheen = ARM_SHEEN * Math.exp(-(((u - ARM_PEAK) / 0.2) ** 2));
      for (let c = 0; c < 3; c++) {
        const v0 = (tone[c]! * w + (body ? body[c]! : 0) * (1 - w)) * g;
        out[i * 3 + c] = v0 + (255 - v0) * sheen + e;
      }
      done[i] = 1;
      if (pr.t > 0) limb[i] = 1;
    }
  }
  // The cuff's shadow and fringe on the hand right below it drew a dark line across the wrist where
  // the drawn arm meets the photo's hand: the hand's own skin a little further along replaces it.
  for (const i of hand) {
    if (done[i]) continue;
    const x = i % W, y = (i / W) | 0;
    let near = false;
    for (let oy = -2; oy <= 2 && !near; oy++) for (let ox = -2; ox <= 2 && !near; ox++) {
      const xx = x + ox, yy = y + oy;
      near = xx >= 0 && yy >= 0 && xx < W && yy < H && !!done[yy * W + xx] && !!hole[yy * W + xx];
    }
    if (!near) continue;
    for (let s = 2; s <= 6; s++) {
      const xs = Math.round(x + dx * s), ys = Math.round(y + dy * s);
      if (xs < 0 || ys < 0 || xs >= W || ys >= H) break;
      const j = ys * W + xs;
      if (lab[j] !== L.hands || hole[j]) continue;
      // Darker than the hand a few pixels on: the cuff's fringe or shadow line.
      if (lum[i]! < CUFF_SHADOW * lum[j]!) {
        for (let c = 0; c < 3; c++) out[i * 3 + c] = img[j * 4 + c]!;
        done[i] = 1;
      }
      break;
    }
  }
  // Right above the cuff the drawn arm turns to the colour of the hand just below it (in the cuff's
  // shadow there), so the two meet without a step in tone.
  const wx0 = Math.max(0, Math.floor(wrist.x - 2 * reach)), wx1 = Math.min(W - 1, Math.ceil(wrist.x + 2 * reach));
  const wy0 = Math.max(0, Math.floor(wrist.y - 2 * reach)), wy1 = Math.min(H - 1, Math.ceil(wrist.y + 2 * reach));
  for (let y = wy0; y <= wy1; y++) {
    for (let x = wx0; x <= wx1; x++) {
      const i = y * W + x;
      if (!done[i] || !hole[i]) continue;
      for (let s = 1; s <= CUFF_BLEND; s++) {
        const xs = Math.round(x + dx * s), ys = Math.round(y + dy * s);
        if (xs < 0 || ys < 0 || xs >= W || ys >= H) break;
        const j = ys * W + xs;
        if (hole[j]) continue;
        if (lab[j] !== L.hands) break;
        // Two pixels into the hand: past the cuff's fringe.
        const xh = Math.round(x + dx * (s + 2)), yh = Math.round(y + dy * (s + 2));
        const h = xh >= 0 && yh >= 0 && xh < W && yh < H && lab[yh * W + xh] === L.hands ? yh * W + xh : j;
        const w = 1 - s / (CUFF_BLEND + 1);
        for (let c = 0; c < 3; c++) out[i * 3 + c] = out[i * 3 + c]! * (1 - w) + img[h * 4 + c]! * w;
        break;
      }
    }
  }
}

/** Pixels above the cuff over which a drawn arm turns to the colour of the hand below it. */
const CUFF_BLEND = 8;

/** Hand pixels by the cuff darker than this share of the hand a few pixels further on are the cuff's fringe or shadow line. */
const CUFF_SHADOW = 0.92;

/** Length along the arm, in wrist half widths, of the notches in a sleeve's outline the drawn arm bridges. */
const SLEEVE_NOTCH = 1.5;

/**
 * How far the old sleeve reaches out from the arm's line on its outer side at each station along the
 * arm (pixels, to where the person's mask ends), opened over `win` stations each way (a running
 * minimum, then a running mean): a drawn arm kept inside it bridges the notches its folds make
 * instead of following them, and never stands out of the sleeve.
 */
function sleeveOuterEdge(a: ModelAnalysis, path: ArmPath, outer: number, hole: Uint8Array, beside: Uint8Array | undefined, win: number): Float32Array {
  const { width: W, height: H } = a;
  const total = path.at[path.at.length - 1]!;
  const n = Math.max(1, Math.ceil(total)) + 1;
  const ext = new Float32Array(n);
  const tmp = { x: 0, y: 0, nx: 0, ny: 0, hw: 0 };
  for (let k = 0; k < n; k++) {
    locate(path, k, tmp);
    let s = 0;
    for (; s <= 3 * tmp.hw; s += 0.5) {
      const x = Math.round(tmp.x + tmp.nx * outer * s), y = Math.round(tmp.y + tmp.ny * outer * s);
      if (x < 0 || y < 0 || x >= W || y >= H) break;
      const i = y * W + x;
      if (a.mask.data[i]! < 128 || !(hole[i] || beside?.[i])) break;
    }
    ext[k] = s;
  }
  const lo = new Float32Array(n), out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    let m = Infinity;
    for (let j = Math.max(0, k - win); j <= Math.min(n - 1, k + win); j++) m = Math.min(m, ext[j]!);
    lo[k] = m;
  }
  for (let k = 0; k < n; k++) {
    let sum = 0, c = 0;
    for (let j = Math.max(0, k - win); j <= Math.min(n - 1, k + win); j++) { sum += lo[j]!; c++; }
    out[k] = sum / c;
  }
  return out;
}

/**
 * The bare arm's own edges below a short sleeve, carried up under it: across offsets (pixels from
 * the path, positive away from the body) of the arm's skin at the first bare stations below the
 * hem, fitted by lines along the arm and extended towards the shoulder. The path's capsule widths
 * give a straight-sided arm that meets the bare arm below with a step; the arm's outline does not.
 * Null when the first bare run is not on the upper arm, or too little of it shows.
 */
function upperArmEdges(path: ArmPath, vis: Uint8Array, steps: number, outer: number, W: number, H: number, isArm: (x: number, y: number) => boolean, inTorso: (x: number, y: number) => boolean, beyond: (x: number, y: number) => number):
  { k0: number; k1: number; elbow: number; lo: (t: number) => number; hi: (t: number) => number } | null {
  // A hanging arm only: a raised one's sleeve stands out around it in ways a line fit does not follow.
  const [a, b] = path.pts as [Point, Point];
  if (b.y - a.y < 0.8 * Math.hypot(b.x - a.x, b.y - a.y)) return null;
  let k0 = 0;
  while (k0 <= steps && !vis[k0]) k0++;
  const elbow = path.at[1]!;
  // Hidden above, bare below, on the upper arm: a short sleeve's hem.
  if (k0 > steps || k0 < 3 || k0 >= elbow) return null;
  const tmp = { x: 0, y: 0, nx: 0, ny: 0, hw: 0 };
  const ts: number[] = [], los: number[] = [], his: number[] = [];
  const k1Max = Math.min(steps, Math.round(elbow), k0 + Math.max(6, Math.round(1.5 * path.hw[0]!)));
  let k1 = k0;
  for (let k = k0; k <= k1Max && vis[k]; k++) {
    locate(path, k, tmp);
    // The longest run of arm skin across the station (small gaps bridged).
    let best: [number, number] | null = null, runA = NaN, lastIn = NaN;
    for (let s = -1.6; s <= 1.6001; s += 0.04) {
      const d = outer * s * tmp.hw;
      const x = Math.round(tmp.x + tmp.nx * s * tmp.hw), y = Math.round(tmp.y + tmp.ny * s * tmp.hw);
      const inside = x >= 0 && y >= 0 && x < W && y < H && isArm(x, y);
      if (inside) {
        if (Number.isNaN(runA) || (Number.isFinite(lastIn) && Math.abs(d - lastIn) > 0.12 * tmp.hw + 1)) runA = d;
        lastIn = d;
        const lo = Math.min(runA, d), hi = Math.max(runA, d);
        if (!best || hi - lo > best[1] - best[0]) best = [lo, hi];
      }
    }
    if (!best || best[1] - best[0] < 0.6 * tmp.hw) continue;
    ts.push(k); los.push(best[0]); his.push(best[1]);
    k1 = k;
  }
  if (ts.length < 5) return null;
  // An arm seen against the torso (turned, or hanging in front of it) has no outline of its own there;
  // one with the backdrop beyond its outer edge (right there, or past its own rim and the old sleeve's
  // flare, within a width) has, however far the torso's outline reaches over it. `beyond`: 1 backdrop,
  // 0 the arm's rim or old top (look further), −1 anything else (the torso, other clothing).
  let over = 0, all = 0;
  locate(path, ts[0]!, tmp);
  for (let d = los[0]!; d <= his[0]!; d += 1) {
    const x = Math.round(tmp.x + tmp.nx * outer * d), y = Math.round(tmp.y + tmp.ny * outer * d);
    if (x < 0 || y < 0 || x >= W || y >= H) continue;
    all++;
    if (inTorso(x, y)) over++;
  }
  let ownEdge = false;
  for (let d = his[0]! + 1; d <= his[0]! + 2 * tmp.hw; d += 1) {
    const x = Math.round(tmp.x + tmp.nx * outer * d), y = Math.round(tmp.y + tmp.ny * outer * d);
    const k = x < 0 || y < 0 || x >= W || y >= H ? -1 : beyond(x, y);
    if (k !== 0) { ownEdge = k > 0; break; }
  }
  if (over > 0.3 * all && !ownEdge) return null;
  const fit = (v: number[]) => {
    const n = ts.length;
    const mt = ts.reduce((s, t) => s + t, 0) / n, mv = v.reduce((s, x) => s + x, 0) / n;
    let sxy = 0, sxx = 0;
    for (let i = 0; i < n; i++) { sxy += (ts[i]! - mt) * (v[i]! - mv); sxx += (ts[i]! - mt) ** 2; }
    // Arms taper gently: a steeper fit is noise of a short run.
    const b = sxx > 0 ? Math.max(-0.3, Math.min(0.3, sxy / sxx)) : 0;
    return (t: number) => mv + b * (t - mt);
  };
  const lo = fit(los), hi = fit(his);
  // Never narrower than the bare arm at the hem, nor crossed.
  const w0 = hi(k0) - lo(k0);
  if (w0 < 0.6 * path.hw[0]!) return null;
  return { k0, k1, elbow, lo: (t) => Math.min(lo(t), hi(t) - w0), hi };
}

/** How far (pixels) (x, y) lies beyond the shoulder joint, along the upper arm's line; 0 when not beyond it. */
function beyondJoint(p: ArmPath, x: number, y: number): number {
  const a = p.pts[0]!, b = p.pts[1]!;
  const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
  return Math.max(0, -((x - a.x) * (b.x - a.x) + (y - a.y) * (b.y - a.y)) / len);
}

export interface ArmFill {
  /** Pixels filled as arm (1): hole pixels, and the bare skin of the band below a hem. */
  done: Uint8Array;
  /** Hole pixels beside the arm's own outline (1): the old sleeve stood out there; backdrop, not skin. */
  outside: Uint8Array;
  /** Bare skin below a hem, faded into the fill: the photo's weight (0 at the hem … 1), 0 elsewhere. */
  seam: Float32Array;
  /**
   * Hole pixels filled as arm below the shoulder joint (1): the arm hangs in front of the torso. The
   * render decides where a garment's armhole or sleeve cap puts them behind it (its armpits' rows).
   */
  limb: Uint8Array;
  /**
   * Share of each pixel on a drawn arm's outline that the arm covers (0..1; 1 elsewhere): the arm's
   * edge is known to a fraction of a pixel, so its anti-aliasing is the arm's colour over the backdrop
   * by that share (see buildAgnostic), not a blur across the seam, which drew a smeared edge.
   */
  cover: Float32Array;
}

/** The cross-section's mean colour per bin, empty bins taken from their neighbours, smoothed over ±`radius` bins; null when too little skin shows. */
function smoothProfile(sum: Float64Array, cnt: Float64Array, bins: number, radius = 1): Float64Array | null {
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
      for (let j = Math.max(0, b - radius); j <= Math.min(bins - 1, b + radius); j++) { s += mean[j * 3 + c]!; k++; }
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
    const { x0, y0, x1, y1 } = pathBox(path, W, H, 1.2 * Math.max(...path.hw));
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
 * The rest of the skin hole (the torso): next to real skin, the skin carried in from it (smoothed,
 * so no single mole or shadow spreads), so the two meet without a step; further in, the person's
 * lit skin tone, shaded as a round torso and a little darker towards the hips; with the skeleton,
 * the collarbones under the neck; then fine grain. A fill of the nearest skin times the outline gain
 * alone reads as a flat block, often in the tone of the shadowed skin at the armpits and neck.
 */
export function fillTorso(a: ModelAnalysis, hole: Uint8Array, skinSrc: Uint8Array, shade: Float32Array, out: Float32Array, sk?: Skeleton): void {
  const { width: W, height: H } = a;
  const box = maskExtent(hole, W, H);
  const tone = litSkinTone(a, hole, skinSrc);
  if (!box || !tone) return;
  // How far in from real skin the fill turns from the neighbouring skin to the lit tone and relief.
  const reach = Math.max(8, Math.round(Math.max(W, H) / 40));
  const near = nearSkin(a, hole, skinSrc, box, reach, tone);
  const relief = torsoRelief(a, hole, skinSrc, box);
  const bones = sk ? collarbones(sk) : () => 1;
  const grain = skinGrain(a, skinSrc);
  const bw = box.x1 - box.x0 + 1;
  for (let y = box.y0; y <= box.y1; y++) {
    for (let x = box.x0; x <= box.x1; x++) {
      const i = y * W + x;
      if (!hole[i]) continue;
      const k = (y - box.y0) * bw + x - box.x0;
      const t = near.away[k]!;
      const w = t * t * (3 - 2 * t);
      // The collarbones start right under the neck: they fade in over the first third of the reach.
      const g = (1 + (shade[i]! * relief[k]! - 1) * w) * (1 + (bones(x, y) - 1) * Math.min(1, 3 * t)) * (1 + (mottle(x, y, H) - 1) * w);
      const e = grain ? grain(x, y) : 0;
      for (let c = 0; c < 3; c++) out[i * 3 + c] = (near.rgb[k * 3 + c]! * (1 - w) + tone[c]! * w) * g + e;
    }
  }
}

/**
 * Per pixel of the hole's box: the visible skin around it, smoothed over skin only at the finest of
 * a few scales that has enough skin (so it continues the skin right next to it, and the top or the
 * backdrop never tints it; the lit tone where none is near), and the distance to that skin as a
 * share of `reach` (0 at skin, 1 beyond).
 */
function nearSkin(a: ModelAnalysis, hole: Uint8Array, skinSrc: Uint8Array, box: Box, reach: number, tone: [number, number, number]): { rgb: Float32Array; away: Float32Array } {
  const { width: W, height: H } = a;
  const img = a.image.data, lab = a.parsing.data;
  // Skin further than `reach` outside the box cannot matter: work within the box grown by it.
  const x0 = Math.max(0, box.x0 - reach), y0 = Math.max(0, box.y0 - reach);
  const x1 = Math.min(W - 1, box.x1 + reach), y1 = Math.min(H - 1, box.y1 + reach);
  const gw = x1 - x0 + 1, gh = y1 - y0 + 1, gn = gw * gh;
  // Two sets of skin: the sources (a little inside the visible skin, clear of the top's colour) for
  // the coarse scales, and all visible skin, its edge too, for the finest one: next to the border
  // the fill must meet the skin that is there, shadow and all.
  const core = { wt: new Float32Array(gn), ch: [new Float32Array(gn), new Float32Array(gn), new Float32Array(gn)] };
  const all = { wt: new Float32Array(gn), ch: [new Float32Array(gn), new Float32Array(gn), new Float32Array(gn)] };
  const seed = new Uint8Array(gn);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const i = y * W + x, k = (y - y0) * gw + x - x0;
      if (hole[i]) continue;
      for (const set of skinSrc[i] ? [core, all] : SKIN_SOURCE_LABELS.has(lab[i]!) ? [all] : []) {
        set.wt[k] = 1; seed[k] = 1;
        for (let c = 0; c < 3; c++) set.ch[c]![k] = img[i * 4 + c]!;
      }
    }
  }
  const d = distanceTo(seed, gw, gh);
  const bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  const rgb = new Float32Array(bw * bh * 3), away = new Float32Array(bw * bh);
  // Where no scale sees source skin (only the edge of some), the lit tone.
  for (let k = 0; k < bw * bh; k++) rgb.set(tone, k * 3);
  const at = (x: number, y: number) => (y + box.y0 - y0) * gw + x + box.x0 - x0;
  for (let y = 0; y < bh; y++) for (let x = 0; x < bw; x++) away[y * bw + x] = Math.min(1, d[at(x, y)]! / reach);
  // Coarse to fine: each finer scale takes over where it sees enough skin.
  const radii: number[] = [];
  for (let r = Math.max(2, Math.round(Math.max(W, H) / 300)); ; r *= 2) { radii.push(r); if (r >= reach) break; }
  for (let level = radii.length - 1; level >= 0; level--) {
    const r = radii[level]!;
    const set = level === 0 ? all : core;
    const sw = boxBlur(set.wt, gw, gh, r);
    const sc = set.ch.map((ch) => boxBlur(ch, gw, gh, r));
    for (let y = 0; y < bh; y++) {
      for (let x = 0; x < bw; x++) {
        const k = y * bw + x, g = at(x, y);
        if (!hole[(y + box.y0) * W + x + box.x0] || away[k]! >= 1 || sw[g]! <= 0) continue;
        const f = level === radii.length - 1 ? 1 : Math.min(1, sw[g]! / 0.25);
        for (let c = 0; c < 3; c++) rgb[k * 3 + c] = (sc[c]![g]! / sw[g]!) * f + rgb[k * 3 + c]! * (1 - f);
      }
    }
  }
  return { rgb, away };
}


/**
 * Mean colour of the well-lit visible skin (arms, neck, torso): its pixels between the 50th and
 * 97th luminance percentile. The skin next to a top is often its shadowed part (armpit, under the chin),
 * and a body facing the camera shows the lit tone; the brightest few are highlights.
 */
function litSkinTone(a: ModelAnalysis, hole: Uint8Array, skinSrc: Uint8Array, [pLo, pHi]: readonly [number, number] = [0.75, 0.97]): [number, number, number] | null {
  const img = a.image.data;
  const hist = new Uint32Array(256);
  let total = 0;
  const lum = (i: number) => Math.round(0.299 * img[i * 4]! + 0.587 * img[i * 4 + 1]! + 0.114 * img[i * 4 + 2]!);
  for (let i = 0; i < hole.length; i++) if (skinSrc[i] && !hole[i]) { hist[lum(i)]++; total++; }
  if (total < 50) return null;
  const at = (q: number) => { let s = 0; for (let v = 0; v < 256; v++) { s += hist[v]!; if (s >= q * total) return v; } return 255; };
  const lo = at(pLo), hi = at(pHi);
  const sum = [0, 0, 0];
  let c = 0;
  for (let i = 0; i < hole.length; i++) {
    if (!skinSrc[i] || hole[i]) continue;
    const l = lum(i);
    if (l < lo || l > hi) continue;
    sum[0] += img[i * 4]!; sum[1] += img[i * 4 + 1]!; sum[2] += img[i * 4 + 2]!; c++;
  }
  return c === 0 ? null : [sum[0]! / c, sum[1]! / c, sum[2]! / c];
}

/**
 * Gain per pixel of the box: the torso as a cylinder lit from the side the visible skin is brighter
 * on (lit in the middle, darker towards the body's sides across each row's torso span), times a
 * slight fall towards the hips and the navel's hollow. The span is the row's run of hole and torso skin around the body's
 * centre line, smoothed over rows so the sides curve with the outline instead of stepping.
 */
function torsoRelief(a: ModelAnalysis, hole: Uint8Array, skinSrc: Uint8Array, box: Box): Float32Array {
  const { width: W } = a;
  const lab = a.parsing.data;
  const bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  const gain = new Float32Array(bw * bh).fill(1);
  const m = a.measurements;
  const rows = [m.chest, m.waist, m.hip];
  /** The measured torso's side (or centre) at height y, linear between chest, waist and hip. */
  const across = (y: number, f: (r: (typeof rows)[number]) => number) => {
    if (y <= rows[0]!.y) return f(rows[0]!);
    for (let k = 1; k < rows.length; k++) {
      const p = rows[k - 1]!, q = rows[k]!;
      if (y <= q.y) return f(p) + ((f(q) - f(p)) * (y - p.y)) / Math.max(1, q.y - p.y);
    }
    return f(rows[rows.length - 1]!);
  };
  const centre = (y: number) => across(y, (r) => (r.left + r.right) / 2);
  // The neck's base shows in a V or scoop opening on the centre line: the body goes on across it.
  const body = (i: number) => hole[i] === 1 || lab[i] === L.torso_skin || lab[i] === L.neck;
  const left = new Float32Array(bh).fill(NaN), right = new Float32Array(bh).fill(NaN);
  for (let y = box.y0; y <= box.y1; y++) {
    const cx = Math.round(centre(y));
    if (cx < 0 || cx >= W || !body(y * W + cx)) continue;
    let xl = cx, xr = cx;
    while (xl > 0 && body(y * W + xl - 1)) xl--;
    while (xr < W - 1 && body(y * W + xr + 1)) xr++;
    // A run cut short (the old top's hem, a skirt's waistband reaching up) is not the body's width.
    const ml = across(y, (r) => r.left), mr = across(y, (r) => r.right);
    const cut = xr - xl < 0.8 * (mr - ml);
    left[y - box.y0] = cut ? ml : xl; right[y - box.y0] = cut ? mr : xr;
  }
  const sl = smoothRows(left, Math.max(3, Math.round(a.height / 100))), sr = smoothRows(right, Math.max(3, Math.round(a.height / 100)));
  const s = lightSide(a, skinSrc, centre);
  const sz = Math.sqrt(1 - s * s);
  const top = m.chest.y, len = Math.max(1, m.hip.y - m.chest.y);
  // The navel: a small soft hollow on the centre line a little below the waist.
  const ny = m.waist.y + 0.1 * (m.hip.y - m.waist.y), nx = centre(ny);
  const nr = Math.max(1.5, 0.025 * m.waist.width);
  for (let y = 0; y < bh; y++) {
    const xl = sl[y]!, xr = sr[y]!;
    if (Number.isNaN(xl) || xr - xl < 4) continue;
    const mid = (xl + xr) / 2, half = (xr - xl) / 2 + 0.5;
    const yy = y + box.y0;
    const fall = 1.02 - 0.05 * Math.min(1, Math.max(0, (yy - top) / len));
    const dy = (yy - ny) / (2 * nr);
    // Every pixel of the row, also those just past the smoothed span, so no edge of the span shows.
    for (let x = box.x0; x <= box.x1; x++) {
      const u = Math.max(-1, Math.min(1, (x - mid) / half));
      const lam = Math.max(0, u * s + Math.sqrt(1 - u * u) * sz);
      const dx = (x - nx) / nr;
      const navel = 1 - 0.1 * Math.exp(-(dx * dx + dy * dy));
      gain[y * bw + x - box.x0] = (0.72 + 0.3 * lam ** 0.8) * fall * navel;
    }
  }
  return gain;
}

/**
 * Gain of the collarbones and the hollow between their heads, drawn where an open neckline shows
 * the chest: each bone a soft lit ridge with the hollow's shadow under it, strongest by the neck and
 * fading towards the shoulder. A chest filled without them read as a flat tan panel.
 */
export function collarbones(sk: Skeleton): (x: number, y: number) => number {
  const S = sk.shoulderWidth;
  const mid = { x: (sk.shoulderL.x + sk.shoulderR.x) / 2, y: (sk.shoulderL.y + sk.shoulderR.y) / 2 };
  const notch = { x: mid.x, y: mid.y + 0.05 * S };
  const w = Math.max(1.5, 0.028 * S), hr = Math.max(2, 0.035 * S);
  // Each bone from beside the notch to just inside the shoulder joint, rising a little outwards.
  const bonesOf = [sk.shoulderL, sk.shoulderR].map((j) => {
    const a0 = { x: notch.x + (j.x - notch.x) * 0.08, y: notch.y - 0.01 * S };
    const a1 = { x: notch.x + (j.x - notch.x) * 0.85, y: j.y - 0.03 * S };
    const len = Math.hypot(a1.x - a0.x, a1.y - a0.y) || 1;
    return { a0, ux: (a1.x - a0.x) / len, uy: (a1.y - a0.y) / len, len };
  });
  return (x, y) => {
    let g = 1 - CLAVICLE_HOLLOW * Math.exp(-(((x - notch.x) ** 2 + (y - notch.y) ** 2) / (hr * hr)));
    for (const b of bonesOf) {
      const dx = x - b.a0.x, dy = y - b.a0.y;
      const t = (dx * b.ux + dy * b.uy) / b.len;
      if (t < -0.1 || t > 1.1) continue;
      // Signed distance across the bone, positive below it (the normal pointing down the image).
      const n = (dx * -b.uy + dy * b.ux) * (b.ux < 0 ? -1 : 1);
      const along = Math.max(0, Math.min(1, (t + 0.1) / 0.25)) * Math.max(0, Math.min(1, (1.1 - t) / 0.6));
      const ridge = CLAVICLE_RIDGE * Math.exp(-(((n + 0.3 * w) / (0.5 * w)) ** 2));
      const hollow = CLAVICLE_SHADOW * Math.exp(-(((n - 1.1 * w) / (0.8 * w)) ** 2));
      g *= 1 + along * (ridge - hollow);
    }
    return g;
  };
}
/** Collarbones' lit ridge and the shadow under it, and the hollow between their heads (shares of the tone). */
const CLAVICLE_RIDGE = 0.04, CLAVICLE_SHADOW = 0.05, CLAVICLE_HOLLOW = 0.06;

/** Moving average over rows of the defined (non-NaN) values; undefined rows stay undefined. */
function smoothRows(v: Float32Array, r: number): Float32Array {
  const out = new Float32Array(v.length).fill(NaN);
  for (let y = 0; y < v.length; y++) {
    if (Number.isNaN(v[y]!)) continue;
    let s = 0, c = 0;
    for (let k = Math.max(0, y - r); k <= Math.min(v.length - 1, y + r); k++) if (!Number.isNaN(v[k]!)) { s += v[k]!; c++; }
    out[y] = s / c;
  }
  return out;
}

/**
 * Horizontal component (−0.6..0.6, + towards the image's right) of the light on the body, from how
 * much brighter the visible skin is on one side of the body's centre line than on the other.
 */
function lightSide(a: ModelAnalysis, skinSrc: Uint8Array, centre: (y: number) => number): number {
  const { width: W } = a;
  const img = a.image.data;
  const sum = [0, 0], cnt = [0, 0];
  for (let i = 0; i < skinSrc.length; i += 3) {
    if (!skinSrc[i]) continue;
    const side = i % W > centre((i / W) | 0) ? 1 : 0;
    sum[side] += 0.299 * img[i * 4]! + 0.587 * img[i * 4 + 1]! + 0.114 * img[i * 4 + 2]!;
    cnt[side]++;
  }
  if (cnt[0]! < 50 || cnt[1]! < 50) return 0;
  const l = sum[0]! / cnt[0]!, rr = sum[1]! / cnt[1]!;
  return Math.max(-0.6, Math.min(0.6, (2.5 * (rr - l)) / Math.max(1, rr + l)));
}

/**
 * Fine grain at the amplitude of the deepest patch of visible skin: hashed noise, lightly correlated
 * like pores and sensor grain. A tile of real skin, mirrored or not, repeats visibly over a midriff.
 */
function skinGrain(a: ModelAnalysis, skinSrc: Uint8Array): ((x: number, y: number) => number) | null {
  const { width: W, height: H } = a;
  const n = W * H;
  const d = distanceInside(skinSrc, W, H);
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
  const abs = new Float32Array(side * side);
  for (let i = 0; i < abs.length; i++) abs[i] = Math.abs(lum[i]! - low[i]!);
  abs.sort();
  // Robust std of the detail (a crease or a mole in the patch must not raise it).
  const amp = 1.48 * abs[abs.length >> 1]!;
  return (x, y) => amp * GRAIN_SCALE * (hash(x, y) + hash(x + 1, y) + hash(x, y + 1) + hash(x + 1, y + 1));
}

/** Makes the 2×2 sum of uniform −1..1 hashes have the same 5×5-detail std as unit-std real grain. */
const GRAIN_SCALE = 0.96;

/**
 * Gain of skin's uneven tone at two scales (about 2% and 4.5% of the image's height), ±MOTTLE at
 * most: smooth value noise. Fine grain alone leaves a large fill one flat colour at a catalogue
 * thumbnail's size, which raters called untextured.
 */
export function mottle(x: number, y: number, H: number): number {
  return 1 + MOTTLE * (0.6 * valueNoise(x / (0.02 * H), y / (0.02 * H), 17) + 0.4 * valueNoise(x / (0.045 * H), y / (0.045 * H), 29));
}
const MOTTLE = 0.025;

/** Smooth value noise in −1..1: hashed values at integer corners, smoothstep-interpolated. */
function valueNoise(u: number, v: number, seed: number): number {
  const x0 = Math.floor(u), y0 = Math.floor(v);
  const fx = u - x0, fy = v - y0;
  const sx = fx * fx * (3 - 2 * fx), sy = fy * fy * (3 - 2 * fy);
  const h = (i: number, j: number) => hash(i * 7919 + seed, j * 104729 - seed);
  const a = h(x0, y0) + (h(x0 + 1, y0) - h(x0, y0)) * sx;
  const b = h(x0, y0 + 1) + (h(x0 + 1, y0 + 1) - h(x0, y0 + 1)) * sx;
  return a + (b - a) * sy;
}

/** Repeatable uniform −1..1 per pixel. */
function hash(x: number, y: number): number {
  let h = Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 2147483648 - 1;
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

/** The image box around the path's points, grown by `reach` pixels. */
function pathBox(p: ArmPath, W: number, H: number, reach: number): Box {
  let x0 = W, y0 = H, x1 = 0, y1 = 0;
  for (const q of p.pts) { x0 = Math.min(x0, q.x); y0 = Math.min(y0, q.y); x1 = Math.max(x1, q.x); y1 = Math.max(y1, q.y); }
  return {
    x0: Math.max(0, Math.floor(x0 - reach)), y0: Math.max(0, Math.floor(y0 - reach)),
    x1: Math.min(W - 1, Math.ceil(x1 + reach)), y1: Math.min(H - 1, Math.ceil(y1 + reach)),
  };
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

/** Arc length, width-scaled signed offset and half width at the nearest point of the path to (x, y). */
function project(p: ArmPath, x: number, y: number): { t: number; s: number; hw: number } | null {
  let best = Infinity, bt = 0, bs = 0, bhw = 0;
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
    bhw = hw;
    bs = ((x - px) * -vy / len + (y - py) * vx / len) / Math.max(1, hw);
  }
  return best === Infinity ? null : { t: bt, s: bs, hw: bhw };
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
