// The garment warped onto the body: body panel by a thin-plate spline, each sleeve as a tube along its arm.
import { boxBlur } from '../composite/guided-filter.js';
import type { Box, GarmentAnalysis, Point, RgbaImage } from '../types.js';
import { boundsOf, buildWarpMap } from './grid.js';
import { meshWarp, type QuadMesh } from './mesh.js';
import { buildMipPyramid, sampleWarp, type MipPyramid } from './sample.js';
import type { SleeveTarget, Targets } from './targets.js';
import { fitInverseTps } from './tps.js';

/** The garment split into the pieces that are warped separately, as mip pyramids (built once per garment). */
export interface GarmentPieces {
  body: MipPyramid;
  sleeves: { left: MipPyramid; right: MipPyramid } | null;
  collar: MipPyramid | null;
  /** The sleeves carry a check or weave near the pixel rate (see fineTexture): sampled with more prefiltering. */
  fineSleeves: boolean;
}

export interface WarpedGarment {
  /** The garment on the model (panel with sleeves over it), straight alpha, model image size. */
  garment: RgbaImage;
  /** The body panel alone, and the sleeves alone: sleeves go over arms that are in front of the torso. */
  panel: RgbaImage;
  sleeves: RgbaImage | null;
  /** The back of the collar, to go behind the neck; null when the garment has none. */
  collar: RgbaImage | null;
  /** Where the body panel's map was evaluated (model pixels). */
  box: Box;
  /** The sleeves carry a fine check and were drawn with the stronger prefilter (softened). */
  softenedSleeves: boolean;
  timings_ms: Record<string, number>;
}

/**
 * How far the body panel reaches past its armhole seam, in garment shoulder widths, so the sleeve drawn
 * over it leaves no gap: a few model pixels even when the garment photo is scaled down by 3.
 */
const SEAM_OVERLAP = 0.02;

const cache = new WeakMap<GarmentAnalysis, { key: string; pieces: GarmentPieces }>();

/**
 * Extra mip level bias for sleeves' colour (a fine check's, and any other's) and for their outline
 * (see where they are sampled).
 */
const FINE_SLEEVE_LOD_BIAS = 1.5;
const SLEEVE_LOD_BIAS = 0.75;
const SLEEVE_EDGE_LOD_BIAS = 0;

/**
 * Splits the garment into body panel, sleeves and collar back. Sleeves are cut off along the straight
 * armhole seam (shoulder → armpit) and the side (armpit → hem): the very lines whose ends the targets
 * pin, so panel and sleeve meet on one line on the body; `brief` (Targets.brief) cuts a bodysuit's brief off the
 * body panel. Cached per garment, landmark set and those flags.
 */
export function garmentPieces(g: GarmentAnalysis, G: Record<string, Point>, sleeved: boolean, brief = false): GarmentPieces {
  const key = JSON.stringify([G, sleeved, brief]);
  const hit = cache.get(g);
  if (hit && hit.key === key) return hit.pieces;
  const { width: w, height: h } = g.image;
  const n = w * h;
  const bodyImg = new Uint8Array(g.image.data);
  if (g.cutout.background) {
    unmixBackdrop(bodyImg, g.cutout.background);
    defringeRim(bodyImg, w, h, g.cutout.background);
    if (G.armpit_left && G.armpit_right && G.shoulder_left && G.shoulder_right) {
      const span = Math.hypot(G.shoulder_left.x - G.shoulder_right.x, G.shoulder_left.y - G.shoulder_right.y);
      for (const a of [G.armpit_left, G.armpit_right]) fillArmpitSliver(bodyImg, w, h, g.cutout.background, a, ARMPIT_REACH * span);
    }
  }
  const collar = g.collar_back;
  let collarImg: Uint8Array | null = null;
  if (collar) {
    collarImg = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) {
      const c = collar.data[i]!;
      if (c === 0) continue;
      const o = i * 4;
      collarImg[o] = g.image.data[o]!;
      collarImg[o + 1] = g.image.data[o + 1]!;
      collarImg[o + 2] = g.image.data[o + 2]!;
      collarImg[o + 3] = Math.min(g.image.data[o + 3]!, c);
      bodyImg[o + 3] = Math.round((bodyImg[o + 3]! * (255 - c)) / 255);
    }
  }
  let sleeves: GarmentPieces['sleeves'] = null;
  let fineSleeves = false;
  if (sleeved) {
    const left = new Uint8Array(n * 4);
    const right = new Uint8Array(n * 4);
    const overlap = Math.max(3, SEAM_OVERLAP * Math.hypot(G.shoulder_left!.x - G.shoulder_right!.x, G.shoulder_left!.y - G.shoulder_right!.y));
    const dL = sideDistance(G, 'left');
    const dR = sideDistance(G, 'right');
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        const o = i * 4;
        const a = bodyImg[o + 3]!;
        if (a === 0) continue;
        // Signed distance to the piece's boundary, positive on the body's side.
        const sl = dL(x, y);
        const sr = dR(x, y);
        const side = sl < sr ? left : right;
        const s = Math.min(sl, sr);
        if (s < 0.5) {
          side[o] = bodyImg[o]!;
          side[o + 1] = bodyImg[o + 1]!;
          side[o + 2] = bodyImg[o + 2]!;
          side[o + 3] = a;
        }
        if (s < -overlap) bodyImg[o + 3] = 0;
      }
    }
    sleeves = { left: buildMipPyramid({ width: w, height: h, data: left }), right: buildMipPyramid({ width: w, height: h, data: right }) };
    fineSleeves = fineTexture(left, w, h) || fineTexture(right, w, h);
  }
  // A bodysuit's brief is worn inside the lower clothing: the body panel ends on the line between its
  // hem corners (faded over a few pixels), which the targets put at the waistband as when tucked.
  if (brief) cutBelow(bodyImg, w, h, G.hem_right!, G.hem_left!);
  const pieces: GarmentPieces = {
    body: buildMipPyramid({ width: w, height: h, data: bodyImg }),
    sleeves,
    collar: collarImg ? buildMipPyramid({ width: w, height: h, data: collarImg }) : null,
    fineSleeves,
  };
  cache.set(g, { key, pieces });
  return pieces;
}

/**
 * A check or weave near the pixel rate: over the opaque inside of a piece, the mean step between
 * neighbours is a large share of the mean deviation from the piece's mean (a two-tone pattern of
 * half period p gives 2/p; a print of larger shapes or a plain fabric gives little).
 */
export function fineTexture(rgba: Uint8Array, w: number, h: number): boolean {
  const lum = (i: number) => 0.299 * rgba[i * 4]! + 0.587 * rgba[i * 4 + 1]! + 0.114 * rgba[i * 4 + 2]!;
  const solid = (i: number) => rgba[i * 4 + 3] === 255 && rgba[(i + 1) * 4 + 3] === 255 && rgba[(i + w) * 4 + 3] === 255;
  let sum = 0, n = 0;
  for (let y = 0; y < h - 1; y += 2) for (let x = 0; x < w - 1; x += 2) if (solid(y * w + x)) (sum += lum(y * w + x)), n++;
  if (n < 200) return false;
  const mean = sum / n;
  let dev = 0, step = 0;
  for (let y = 0; y < h - 1; y += 2) {
    for (let x = 0; x < w - 1; x += 2) {
      const i = y * w + x;
      if (!solid(i)) continue;
      const v = lum(i);
      dev += Math.abs(v - mean);
      step += (Math.abs(v - lum(i + 1)) + Math.abs(v - lum(i + w))) / 2;
    }
  }
  return dev / n >= FINE_MIN_DEV && step >= FINE_RATIO * dev;
}
/** Least mean deviation (grey levels), and least step over deviation (a half period up to 4 px), of a fine texture. */
const FINE_MIN_DEV = 8;
const FINE_RATIO = 0.5;

/** `soft`'s colours with `sharp`'s alpha (both straight, same size); sharp's colour where soft has none. */
function keepOutline(soft: RgbaImage, sharp: RgbaImage): void {
  const d = soft.data, e = sharp.data;
  for (let o = 0; o < d.length; o += 4) {
    if (d[o + 3]! < 8) {
      d[o] = e[o]!;
      d[o + 1] = e[o + 1]!;
      d[o + 2] = e[o + 2]!;
    }
    d[o + 3] = e[o + 3]!;
  }
}

/**
 * The cut-out keeps the photo's colours, so its soft edge pixels are part backdrop: composited on a
 * person they draw a pale (or, on a dark backdrop, dark) fringe round the garment. Each is unmixed,
 * C = a·F + (1 − a)·B solved for F, against the backdrop colour B; the faintest are unmixed as if at
 * a third opacity, so noise is not amplified (they hardly show anyway).
 */
export function unmixBackdrop(img: Uint8Array, bg: [number, number, number]): void {
  for (let o = 0; o < img.length; o += 4) {
    const a = img[o + 3]!;
    if (a === 0 || a === 255) continue;
    const f = Math.max(a / 255, 1 / 3);
    for (let c = 0; c < 3; c++) img[o + c] = Math.max(0, Math.min(255, Math.round((img[o + c]! - (1 - f) * bg[c]!) / f)));
  }
}

/** Around a flat garment's armpit, in its shoulder spans: where the gap between sleeve and body narrows to a point. */
const ARMPIT_REACH = 0.15;
/** Most a pixel's channels differ from the backdrop's colour at its brightness for it to be backdrop seen through the gap. */
const SLIVER_TOL = 14;
/** How much brighter than the fabric's mean (per channel) a pixel on the filled channel's rim is to be taken as half backdrop. */
const RIM_LIFT = 25;
/** Darkest the backdrop is in the gap's shadow, over its lit brightness. */
const SLIVER_SHADE = 0.35;
/** Widest a sliver's channel may be, over the armpit's reach: fabric on both sides within it. */
const SLIVER_WALL = 0.25;
/** Most of the solid pixels round the armpit that may be backdrop-coloured (slivers measured 2–6%). */
const SLIVER_SHARE = 0.1;

/**
 * The gap between a hanging sleeve and the body narrows to a point at the armpit, thinner there than
 * the cut-out's coarse pass sees: a sliver of backdrop stays in the garment and draws a white slit
 * under the arm. Worn, the fabric is whole under the arm (sleeve and side seams meet): within `reach`
 * of the armpit, backdrop-coloured pixels in a narrow channel between fabric walls, joined to the
 * outside, take the fabric's mean colour there. A garment with more than SLIVER_SHARE of the backdrop's
 * colour there (a white tee on white, a print on a white ground) is left alone. In place, RGBA w×h;
 * returns how many pixels were filled.
 */
export function fillArmpitSliver(img: Uint8Array, w: number, h: number, bg: [number, number, number], at: Point, reach: number): number {
  const x0 = Math.max(0, Math.floor(at.x - reach)), x1 = Math.min(w - 1, Math.ceil(at.x + reach));
  const y0 = Math.max(0, Math.floor(at.y - reach)), y1 = Math.min(h - 1, Math.ceil(at.y + reach));
  const inDisc = (x: number, y: number) => (x - at.x) ** 2 + (y - at.y) ** 2 <= reach * reach;
  // Backdrop, lit or in the gap's shadow: the backdrop's chroma at any brightness from SLIVER_SHADE to a little above it.
  const bgSum = bg[0] + bg[1] + bg[2] + 3;
  const pale = (o: number) => {
    const k = (img[o]! + img[o + 1]! + img[o + 2]! + 3) / bgSum;
    if (k < SLIVER_SHADE || k > 1.08) return false;
    return Math.max(Math.abs(img[o]! - k * bg[0]), Math.abs(img[o + 1]! - k * bg[1]), Math.abs(img[o + 2]! - k * bg[2])) <= SLIVER_TOL;
  };
  // Fabric here of the backdrop's colour (white on white, a white ground under a print): leave it.
  let solid = 0, paleCount = 0;
  const mean = [0, 0, 0];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const o = (y * w + x) * 4;
      if (!inDisc(x, y) || img[o + 3]! < 250) continue;
      solid++;
      if (pale(o)) paleCount++;
      else for (let c = 0; c < 3; c++) mean[c]! += img[o + c]!;
    }
  }
  const fill = mean.map((v) => Math.round(v / Math.max(1, solid - paleCount)));
  if (!solid || paleCount > SLIVER_SHARE * solid) return 0;
  // A sliver is a narrow channel between sleeve and body: fabric on both sides within `wall` pixels
  // (a white stripe or ground joined to the gap runs on with no wall, and stays).
  const wall = Math.max(3, Math.round(SLIVER_WALL * reach));
  const fabric = (x: number, y: number) => {
    const o = (y * w + x) * 4;
    return img[o + 3]! >= 128 && !pale(o);
  };
  const walled = (x: number, y: number) => {
    let l = false, r = false;
    for (let d = 1; d <= wall && !(l && r); d++) {
      if (!l && x - d >= 0 && fabric(x - d, y)) l = true;
      if (!r && x + d < w && fabric(x + d, y)) r = true;
    }
    return l && r;
  };
  const seen = new Uint8Array((x1 - x0 + 1) * (y1 - y0 + 1));
  const bw = x1 - x0 + 1;
  const stack: number[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!inDisc(x, y) || img[(y * w + x) * 4 + 3]! >= 128) continue;
      seen[(y - y0) * bw + x - x0] = 1;
      stack.push(x, y);
    }
  }
  let filled = 0;
  while (stack.length) {
    const y = stack.pop()!, x = stack.pop()!;
    for (const [nx, ny] of [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]] as const) {
      if (nx < x0 || nx > x1 || ny < y0 || ny > y1 || !inDisc(nx, ny)) continue;
      const l = (ny - y0) * bw + nx - x0;
      if (seen[l]) continue;
      const o = (ny * w + nx) * 4;
      if (!pale(o) || !walled(nx, ny)) continue;
      seen[l] = 1;
      if (img[o + 3]! > 0) {
        // The fabric's mean colour round the armpit (its rim next to the gap is still part backdrop).
        img[o] = fill[0]!;
        img[o + 1] = fill[1]!;
        img[o + 2] = fill[2]!;
        img[o + 3] = 255;
        filled++;
      }
      stack.push(nx, ny);
    }
  }
  // The rim round the filled channel, half backdrop (brighter than the fabric), goes with it.
  const lum = (o: number) => img[o]! + img[o + 1]! + img[o + 2]!;
  const fillLum = fill[0]! + fill[1]! + fill[2]!;
  const rim: number[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (seen[(y - y0) * bw + x - x0] !== 1 || img[(y * w + x) * 4 + 3]! < 255) continue;
      for (const [nx, ny] of [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]] as const) {
        if (nx < x0 || nx > x1 || ny < y0 || ny > y1 || seen[(ny - y0) * bw + nx - x0]) continue;
        const o = (ny * w + nx) * 4;
        if (img[o + 3]! >= 128 && lum(o) > fillLum + 3 * RIM_LIFT) rim.push(o);
      }
    }
  }
  for (const o of rim) {
    img[o] = fill[0]!;
    img[o + 1] = fill[1]!;
    img[o + 2] = fill[2]!;
    filled++;
  }
  return filled;
}

/** Width of the cut-out's rim checked for backdrop, garment pixels. */
const RIM = 2;
/** Least RGB distance between garment and backdrop colours for a rim pixel to be read as their mix. */
const DISTINCT = 80;

/**
 * The cut-out's outline often holds a pixel or two still counted as opaque that are half backdrop
 * (the matte a little generous): on a person they draw a pale dotted line round a dark garment. Each
 * rim pixel is set on the line from the backdrop to the garment's own colour just inside it (the
 * solid pixel nearby nearest its colour): it takes that colour, and its alpha shrinks to the share
 * of garment it holds. A garment near the backdrop's colour (a white tee on white) has no such line
 * to read, and is left alone. In place, RGBA w×h.
 */
export function defringeRim(img: Uint8Array, w: number, h: number, bg: [number, number, number]): void {
  const n = w * h;
  const solid = new Float32Array(n);
  for (let i = 0; i < n; i++) solid[i] = img[i * 4 + 3]! >= 250 ? 1 : 0;
  // Solid and at least RIM pixels from any non-solid one: the garment's own colour.
  const inner = boxBlur(solid, w, h, RIM);
  const core = new Float32Array(n);
  for (let i = 0; i < n; i++) core[i] = inner[i]! >= 0.999 ? 1 : 0;
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    if (img[o + 3] === 0 || core[i]) continue;
    // The garment's own colour: of the solid pixels a few pixels around, the one nearest this pixel's
    // colour (a stripe or print running out to the edge is read as itself; by a mean, or by the next
    // pixel straight in, a pale stripe's end was taken for backdrop over a dark one and went see-through).
    const x = i % w, y = (i - x) / w;
    let src = -1, best = Infinity;
    for (let sy = Math.max(0, y - RIM - 2); sy <= Math.min(h - 1, y + RIM + 2); sy++) {
      for (let sx = Math.max(0, x - RIM - 2); sx <= Math.min(w - 1, x + RIM + 2); sx++) {
        const j = sy * w + sx;
        if (!core[j]) continue;
        const e = (img[j * 4]! - img[o]!) ** 2 + (img[j * 4 + 1]! - img[o + 1]!) ** 2 + (img[j * 4 + 2]! - img[o + 2]!) ** 2;
        if (e < best) { best = e; src = j; }
      }
    }
    if (src < 0) continue;
    let dd = 0, dc = 0;
    const f = [0, 0, 0];
    for (let c = 0; c < 3; c++) {
      f[c] = img[src * 4 + c]!;
      const d = f[c]! - bg[c]!;
      dd += d * d;
      dc += d * (img[o + c]! - bg[c]!);
    }
    // Garment and backdrop too alike to tell a mix from either (a white stripe, a pastel): the share
    // read off a short line is noise, and a pale stripe's end went see-through.
    if (dd < DISTINCT * DISTINCT) continue;
    const share = Math.max(0, Math.min(1, dc / dd));
    if (share >= 0.95) continue;
    for (let c = 0; c < 3; c++) img[o + c] = Math.round(f[c]!);
    img[o + 3] = Math.round(img[o + 3]! * share);
  }
}

/** Clears alpha below the line a→b (extended to the image's sides), with a 3-pixel fade. */
function cutBelow(img: Uint8Array, w: number, h: number, a: Point, b: Point): void {
  const slope = (b.y - a.y) / (b.x - a.x || 1);
  const fade = 3;
  for (let x = 0; x < w; x++) {
    const yl = a.y + (x - a.x) * slope;
    for (let y = Math.max(0, Math.floor(yl - fade)); y < h; y++) {
      const keep = Math.min(1, Math.max(0, (yl - y) / fade));
      const o = (y * w + x) * 4 + 3;
      img[o] = Math.round(img[o]! * keep);
    }
  }
}

/** Signed distance (garment pixels) to one side's seam-then-side line, positive towards the garment's centre. */
function sideDistance(G: Record<string, Point>, side: 'left' | 'right'): (x: number, y: number) => number {
  const s = G[`shoulder_${side}`]!, a = G[`armpit_${side}`]!, hm = G[`hem_${side}`] ?? { x: a.x, y: a.y + 1000 };
  const c = { x: (G.shoulder_left!.x + G.shoulder_right!.x) / 2, y: (s.y + a.y) / 2 };
  const line = (p: Point, q: Point) => {
    const dx = q.x - p.x, dy = q.y - p.y;
    const l = Math.hypot(dx, dy) || 1;
    let nx = -dy / l, ny = dx / l;
    if ((c.x - p.x) * nx + (c.y - p.y) * ny < 0) (nx = -nx), (ny = -ny);
    return (x: number, y: number) => (x - p.x) * nx + (y - p.y) * ny;
  };
  const seam = line(s, a);
  const sideLine = line(a, hm);
  return (x, y) => (y < a.y ? seam(x, y) : Math.min(seam(x, y) + 1e3, sideLine(x, y)));
}

/**
 * Warps the garment's pieces to their targets and stacks them (body panel, then sleeves over it) on
 * a transparent image of the model's size.
 */
export function warpGarment(g: GarmentAnalysis, t: Targets, size: { width: number; height: number }): WarpedGarment {
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  const lap = (k: string) => {
    const now = performance.now();
    timings[k] = Math.round((now - t0) * 10) / 10;
    t0 = now;
  };
  const pieces = garmentPieces(g, t.landmarks, t.sleeves.length > 0, t.brief);
  lap('pieces');
  const { width: W, height: H } = size;
  const acc = new Float32Array(W * H * 4);
  // Long narrow bottoms make an exact spline wiggle between its many side points: smooth it a little.
  const tps = fitInverseTps(t.panel.garment, t.panel.body, t.category === "bottom" ? 0.02 : 0);
  const pad = Math.round(0.25 * t.shoulderWidth);
  const box = clip(boundsOf(t.panel.body.map((p) => p.x), t.panel.body.map((p) => p.y), pad), W, H);
  const map = buildWarpMap((x, y, out) => tps.mapInto(x, y, out), box, 8);
  lap('panel_map');
  const panel = sampleWarp(pieces.body, map);
  overInto(acc, W, H, panel, box);
  lap('panel_sample');
  let collar: RgbaImage | null = null;
  if (pieces.collar) {
    const c = sampleWarp(pieces.collar, map);
    const ca = new Float32Array(W * H * 4);
    overInto(ca, W, H, c, box);
    collar = toStraight(ca, W, H, box);
  }
  const panelImg = toStraight(acc, W, H, box);
  let union = box;
  let sleeves: RgbaImage | null = null;
  if (pieces.sleeves && t.sleeves.length) {
    const sacc = new Float32Array(W * H * 4);
    let sleeveBox: Box | null = null;
    for (const s of t.sleeves) {
      const { src, dst } = sleeveMeshes(s);
      const sb = clip(boundsOf(dst.x, dst.y, 2), W, H);
      if (sb.width <= 0 || sb.height <= 0) continue;
      const sm = meshWarp(src, dst, sb);
      // A flat sleeve narrows a lot onto the arm (often to under half across it): a fine check or
      // houndstooth then lands at the pixel rate, and whatever residue the pyramid level keeps beats
      // into moiré under bilinear sampling (gingham sleeves showed wavy bands up to a bias of 1.25).
      // Such a sleeve gets more prefiltering, trading its sharpness for no moiré; other prints keep
      // theirs (raters called uniformly prefiltered sleeves smeared). The outline keeps the sharpest
      // level's alpha, or the sleeve's edge would blur into a halo.
      const img = sampleWarp(pieces.sleeves[s.side], sm, { lodBias: pieces.fineSleeves ? FINE_SLEEVE_LOD_BIAS : SLEEVE_LOD_BIAS });
      keepOutline(img, sampleWarp(pieces.sleeves[s.side], sm, { lodBias: SLEEVE_EDGE_LOD_BIAS }));
      overInto(sacc, W, H, img, sm.box);
      overInto(acc, W, H, img, sm.box);
      sleeveBox = sleeveBox ? unionBox(sleeveBox, sm.box) : sm.box;
    }
    if (sleeveBox) {
      sleeves = toStraight(sacc, W, H, clip(sleeveBox, W, H));
      union = clip(unionBox(union, sleeveBox), W, H);
    }
  }
  lap('sleeves');
  return { garment: sleeves ? toStraight(acc, W, H, union) : panelImg, panel: panelImg, sleeves, collar, box, softenedSleeves: !!sleeves && pieces.fineSleeves, timings_ms: timings };
}

function unionBox(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

function clip(b: Box, W: number, H: number): Box {
  const x0 = Math.max(0, b.x), y0 = Math.max(0, b.y);
  const x1 = Math.min(W, b.x + b.width), y1 = Math.min(H, b.y + b.height);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/** Porter-Duff "over" of a straight-alpha piece at box into a premultiplied accumulator. */
function overInto(acc: Float32Array, W: number, H: number, img: RgbaImage, box: Box): void {
  const d = img.data;
  for (let y = 0; y < img.height; y++) {
    const yy = box.y + y;
    if (yy < 0 || yy >= H) continue;
    for (let x = 0; x < img.width; x++) {
      const xx = box.x + x;
      if (xx < 0 || xx >= W) continue;
      const s = (y * img.width + x) * 4;
      const a = d[s + 3]! / 255;
      if (a === 0) continue;
      const o = (yy * W + xx) * 4;
      const k = 1 - a;
      acc[o] = d[s]! * a + acc[o]! * k;
      acc[o + 1] = d[s + 1]! * a + acc[o + 1]! * k;
      acc[o + 2] = d[s + 2]! * a + acc[o + 2]! * k;
      acc[o + 3] = a + acc[o + 3]! * k;
    }
  }
}

/** Un-premultiplies the accumulator; only `region` can hold anything, the rest stays transparent. */
function toStraight(acc: Float32Array, W: number, H: number, region: Box = { x: 0, y: 0, width: W, height: H }): RgbaImage {
  const out = new Uint8Array(W * H * 4);
  for (let y = region.y; y < region.y + region.height; y++) for (let x = region.x; x < region.x + region.width; x++) {
    const o = (y * W + x) * 4;
    const a = acc[o + 3]!;
    if (a < 1 / 512) continue;
    out[o] = Math.min(255, acc[o]! / a + 0.5);
    out[o + 1] = Math.min(255, acc[o + 1]! / a + 0.5);
    out[o + 2] = Math.min(255, acc[o + 2]! / a + 0.5);
    out[o + 3] = Math.min(255, a * 255 + 0.5);
  }
  return { width: W, height: H, data: out };
}

/** Polyline by arc length: position and the mean direction over a window (a smooth turn at the elbow). */
function arcAt(pts: Point[], cum: number[], s: number, out: number[]): void {
  let i = 0;
  while (i < pts.length - 2 && cum[i + 1]! < s) i++;
  const seg = cum[i + 1]! - cum[i]!;
  const f = seg > 0 ? (s - cum[i]!) / seg : 0;
  out[0] = pts[i]!.x + (pts[i + 1]!.x - pts[i]!.x) * f;
  out[1] = pts[i]!.y + (pts[i + 1]!.y - pts[i]!.y) * f;
  out[2] = i;
  out[3] = f;
}

const smooth = (e0: number, e1: number, x: number): number => {
  const t = Math.min(1, Math.max(0, (x - e0) / (e1 - e0)));
  return t * t * (3 - 2 * t);
};

/** A quarter circle from 0 to 1 over x in 0..1: steep at 0, flat at 1. */
const roundOut = (x: number): number => {
  const t = Math.min(1, Math.max(0, x));
  return Math.sqrt(1 - (1 - t) * (1 - t));
};

/**
 * Quad meshes that lay the flat sleeve (cap edge → cuff) along the arm. Row 0 is exactly the cap on
 * the panel's armhole; outer and inner edges run down the arm from where their cap point sits, and
 * open from the armhole's slant to the arm's own width (plus ease) over the first third.
 */
export function sleeveMeshes(s: SleeveTarget): { src: QuadMesh; dst: QuadMesh } {
  const arm = s.arm;
  const cum = [0];
  for (let i = 1; i < arm.length; i++) cum.push(cum[i - 1]! + Math.hypot(arm[i]!.x - arm[i - 1]!.x, arm[i]!.y - arm[i - 1]!.y));
  const total = cum[cum.length - 1]!;
  const d0x = (arm[1]!.x - arm[0]!.x) / (cum[1]! || 1), d0y = (arm[1]!.y - arm[0]!.y) / (cum[1]! || 1);
  const capProj = (p: Point) => ({ u: (p.x - arm[0]!.x) * d0x + (p.y - arm[0]!.y) * d0y, v: (p.x - arm[0]!.x) * -d0y + (p.y - arm[0]!.y) * d0x });
  const co = capProj(s.capOuter), ci = capProj(s.capInner);
  // Normal pointing to the outer side.
  const outerSign = co.v >= ci.v ? 1 : -1;
  const cuffAt = Math.min(total, s.cuffAt);
  let maxHw = 0;
  for (const v of s.halfWidth) maxHw = Math.max(maxHw, v);
  const bend = 1.2 * maxHw;
  const len = Math.max(cuffAt - Math.min(co.u, ci.u), 1);
  const openT = Math.min(0.35, (1.2 * maxHw) / len);
  const rows = Math.max(6, Math.ceil(len / 6) + 1);
  const src: QuadMesh = { cols: 2, rows, x: new Float64Array(rows * 2), y: new Float64Array(rows * 2) };
  const dst: QuadMesh = { cols: 2, rows, x: new Float64Array(rows * 2), y: new Float64Array(rows * 2) };
  const g = s.garment;
  // Widen both strips alike so the sleeve's own outline (slightly outside the straight edges) is kept.
  const widen = 0.08;
  const p = [0, 0, 0, 0], q0 = [0, 0, 0, 0], q1 = [0, 0, 0, 0];
  const place = (u: number, vCap: number, sideSign: number, t: number, out: number[]) => {
    arcAt(arm, cum, u, p);
    const i = p[2]!;
    const hw = s.halfWidth[i]! + (s.halfWidth[Math.min(i + 1, s.halfWidth.length - 1)]! - s.halfWidth[i]!) * p[3]!;
    arcAt(arm, cum, Math.max(0, u - bend), q0);
    arcAt(arm, cum, Math.min(total, u + bend), q1);
    let tx = q1[0]! - q0[0]!, ty = q1[1]! - q0[1]!;
    const tl = Math.hypot(tx, ty) || 1;
    tx /= tl;
    ty /= tl;
    const nx = -ty * outerSign, ny = tx * outerSign;
    // Open to the arm's width within about a quarter shoulder width (or a third of a short sleeve).
    // The outer edge leaves the shoulder outwards first (the deltoid's round), the inner one along the arm.
    const w = sideSign > 0 ? roundOut(t / openT) : smooth(0, openT, t);
    const v = vCap * (1 - w) + sideSign * hw * (1 + widen) * w;
    out[0] = p[0]! + nx * v;
    out[1] = p[1]! + ny * v;
  };
  const po = [0, 0], pi = [0, 0];
  const vo = co.v * outerSign, vi = ci.v * outerSign;
  const capC = { x: (s.capOuter.x + s.capInner.x) / 2, y: (s.capOuter.y + s.capInner.y) / 2 };
  const cufO = s.cuff?.outer, cufI = s.cuff?.inner;
  for (let r = 0; r < rows; r++) {
    const t = r / (rows - 1);
    // The centre line is straight above the shoulder joint, so a cap point's offset from it is its v.
    place(co.u + (cuffAt - co.u) * t, vo, 1, t, po);
    place(ci.u + (cuffAt - ci.u) * t, vi, -1, t, pi);
    if (r === 0) {
      // Exactly the panel's armhole, widened along the seam like the garment strip.
      po[0] = s.capOuter.x + (s.capOuter.x - capC.x) * widen;
      po[1] = s.capOuter.y + (s.capOuter.y - capC.y) * widen;
      pi[0] = s.capInner.x + (s.capInner.x - capC.x) * widen;
      pi[1] = s.capInner.y + (s.capInner.y - capC.y) * widen;
    }
    if (cufO && cufI) {
      const w = smooth(0.4, 1, t);
      const last = { ox: 0, oy: 0, ix: 0, iy: 0 };
      const lo = [0, 0], li = [0, 0];
      place(cuffAt, 0, 1, 1, lo);
      place(cuffAt, 0, -1, 1, li);
      last.ox = cufO.x + (cufO.x - cufI.x) * widen * 0.5 - lo[0]!;
      last.oy = cufO.y + (cufO.y - cufI.y) * widen * 0.5 - lo[1]!;
      last.ix = cufI.x + (cufI.x - cufO.x) * widen * 0.5 - li[0]!;
      last.iy = cufI.y + (cufI.y - cufO.y) * widen * 0.5 - li[1]!;
      po[0] += last.ox * w;
      po[1] += last.oy * w;
      pi[0] += last.ix * w;
      pi[1] += last.iy * w;
    }
    dst.x[r * 2] = po[0]!;
    dst.y[r * 2] = po[1]!;
    dst.x[r * 2 + 1] = pi[0]!;
    dst.y[r * 2 + 1] = pi[1]!;
    const ao = { x: g.capOuter.x + (g.cuffOuter.x - g.capOuter.x) * t, y: g.capOuter.y + (g.cuffOuter.y - g.capOuter.y) * t };
    const ai = { x: g.capInner.x + (g.cuffInner.x - g.capInner.x) * t, y: g.capInner.y + (g.cuffInner.y - g.capInner.y) * t };
    src.x[r * 2] = ao.x + (ao.x - ai.x) * widen * 0.5;
    src.y[r * 2] = ao.y + (ao.y - ai.y) * widen * 0.5;
    src.x[r * 2 + 1] = ai.x + (ai.x - ao.x) * widen * 0.5;
    src.y[r * 2 + 1] = ai.y + (ai.y - ao.y) * widen * 0.5;
  }
  return { src, dst };
}
