// Ghost-mannequin photos: the back of the collar seen through the neck opening, darker than the front.
import type { Mask, RgbaImage, ScoredPoint } from '../types.js';
import { maskExtent, padBox, type PixelBox } from '../image.js';
import { components, dilate, erode } from './mask-ops.js';
import type { Shape } from './shape.js';

/** Interquartile range of the front's brightness, over its median, beyond which the front is a print. */
const BUSY_FRONT = 0.35;
/** How far below the neck points the inside of the back is looked for, in garment heights. */
const COLLAR_DEPTH = 0.2;
/** The same on a printed front, where it may be a wrap's deep V. */
const V_DEPTH = 0.35;
/** Half the window of the grey closing that fills a print's dark stripes and spots, in garment widths. */
const PRINT_CLOSE = 0.025;
/**
 * The inside of the back behind a printed front: closed brightness between these shares of the
 * front's (a ghost tee's shaded inside is about 0.55 of its front; wide black stripes stay below).
 */
const INSIDE = [0.4, 0.9] as const;
/** Radius of the small morphology that cleans the inside's region (px). */
const MORPH_R = 2;

export function findCollarBack(image: RgbaImage, shape: Shape, marks: Record<string, ScoredPoint>): Mask | null {
  const nl = marks.neck_left, nr = marks.neck_right, al = marks.armpit_left, ar = marks.armpit_right;
  if (!nl || !nr || !al || !ar) return null;
  const { width: w, height: h, bin, cx } = shape;
  const H = shape.box.y1 - shape.box.y0 + 1, W = shape.box.x1 - shape.box.x0 + 1;
  const neckW = nl.x - nr.x;
  if (neckW < 0.05 * W) return null;
  const lum = (i: number) => 0.299 * image.data[4 * i]! + 0.587 * image.data[4 * i + 1]! + 0.114 * image.data[4 * i + 2]!;
  // The front's brightness: the chest just below the armpits, every other pixel.
  const ay = Math.round((al.y + ar.y) / 2);
  const rx0 = Math.round(cx - 0.15 * W), rx1 = Math.floor(cx + 0.15 * W), ry1 = Math.min(h - 1, Math.ceil(ay + 0.15 * H) - 1);
  const chest: number[] = [];
  for (let y = ay; y <= ry1; y += 2) for (let x = rx0; x <= rx1; x += 2) if (bin[y * w + x]) chest.push(y * w + x);
  if (chest.length < 20) return null;
  const ref = chest.map(lum).sort((a, b) => a - b);
  const front = ref[ref.length >> 1]!;
  // A striped or printed front: "darker than the front" picks its dark print, not a collar (the
  // stripes in the opening were cut out one by one and the rest drawn as a ghost over the chest), so
  // there the print is closed over first.
  const busy = iqr(ref) > BUSY_FRONT * Math.max(front, 1);
  const x0 = Math.max(0, Math.round(nr.x)), x1 = Math.min(w - 1, Math.round(nl.x));
  const y0 = shape.box.y0, y1 = Math.min(h - 1, Math.round(Math.min(nl.y, nr.y) + (busy ? V_DEPTH : COLLAR_DEPTH) * H));
  // Everything below works in the opening's window, with room for the morphology (a dilation then an
  // erosion, or the reverse) around it.
  const { x0: wx0, y0: wy0, x1: wx1, y1: wy1 } = padBox({ x0, y0, x1, y1 }, 2 * MORPH_R, w, h);
  const ww = wx1 - wx0 + 1, wh = wy1 - wy0 + 1;
  /** The window's index of image pixel (x, y). */
  const wi = (x: number, y: number) => (y - wy0) * ww + x - wx0;
  // The inside of the back: darker than the front (plain), or in the opening's shade (printed).
  const inside = new Uint8Array(ww * wh);
  if (!busy) {
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const i = y * w + x;
        if (!bin[i]) continue;
        const l = lum(i);
        if (l < 0.8 * front && front - l > 15) inside[wi(x, y)] = 1;
      }
  } else {
    // A printed or striped front: brightness closed over a print's width (its dark stripes and spots
    // filled from the light fabric beside them) is even over the front, and lower on the inside of
    // the back, in the opening's shade. Black stripes wider than that stay dark: they are not the inside.
    const r = Math.max(4, Math.round(PRINT_CLOSE * W));
    // A closed pixel depends on what lies within 2r of it: each window is closed with that margin.
    const closedOver = (within: PixelBox) => {
      const box = padBox(within, 2 * r, w, h);
      const c = greyClosing(box, w, r, (i) => (bin[i] ? lum(i) : NaN));
      const bw = box.x1 - box.x0 + 1;
      return (x: number, y: number) => c[(y - box.y0) * bw + x - box.x0]!;
    };
    const atChest = closedOver({ x0: rx0, y0: ay, x1: rx1, y1: ry1 });
    const cref = chest.map((i) => atChest(i % w, (i / w) | 0)).sort((a, b) => a - b);
    const cfront = cref[cref.length >> 1]!;
    // Closed over, the front must be even: brightness that still varies (velvet's sheen, folds) is
    // not a print, and darker than the front says nothing about the inside there.
    if (iqr(cref) > BUSY_FRONT * Math.max(cfront, 1)) return null;
    const at = closedOver({ x0, y0, x1, y1 });
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const v = at(x, y);
        if (bin[y * w + x] && v > INSIDE[0] * cfront && v < INSIDE[1] * cfront) inside[wi(x, y)] = 1;
      }
    // Fringes along the black stripes' edges pass the test too: a thin link joins no region.
    inside.set(dilate(erode(inside, ww, wh, MORPH_R), ww, wh, MORPH_R));
  }
  const { labels, sizes } = components(inside, ww, wh);
  let best = 0;
  for (let l = 1; l < sizes.length; l++) if (!best || sizes[l]! > sizes[best]!) best = l;
  if (!best || sizes[best]! < 0.003 * shape.area) return null;
  let bx0 = w, bx1 = -1, by0 = h, sx = 0;
  for (let i = 0; i < labels.length; i++)
    if (labels[i] === best) {
      const x = wx0 + (i % ww), y = wy0 + ((i / ww) | 0);
      bx0 = Math.min(bx0, x);
      bx1 = Math.max(bx1, x);
      by0 = Math.min(by0, y);
      sx += x;
    }
  // It must span the opening, sit at its top and be centred: a dark print lower down is not a collar.
  const centre = sx / sizes[best]!;
  if (bx1 - bx0 < 0.4 * neckW || by0 > Math.min(nl.y, nr.y) + 0.05 * H || Math.abs(centre - cx) > 0.1 * W) return null;
  let region: Uint8Array = new Uint8Array(ww * wh);
  for (let i = 0; i < labels.length; i++) region[i] = labels[i] === best ? 1 : 0;
  region = erode(dilate(region, ww, wh, MORPH_R), ww, wh, MORPH_R);
  fillHoles(region, ww, wh);
  if (busy) extendTip(region, ww, wh, (x, y) => !!bin[(wy0 + y) * w + wx0 + x]);
  const data = new Uint8Array(w * h);
  for (let y = wy0; y <= wy1; y++) for (let x = wx0; x <= wx1; x++) if (region[wi(x, y)] && bin[y * w + x]) data[y * w + x] = 255;
  return { width: w, height: h, data };
}

/**
 * A V's tip, which the closing over the print's width fills where the V is narrower than that
 * window: the region's left and right edges over its lower half, fitted by straight lines, are
 * carried on down to where they meet (at most half the region's height further), over garment
 * pixels (`on`). Nothing is added unless the edges close in downwards.
 */
export function extendTip(region: Uint8Array, w: number, h: number, on: (x: number, y: number) => boolean): void {
  const left = new Float64Array(h).fill(NaN), right = new Float64Array(h).fill(NaN);
  let top = -1, bot = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (!region[y * w + x]) continue;
      if (left[y] !== left[y]) left[y] = x;
      right[y] = x;
      if (top < 0) top = y;
      bot = y;
    }
  if (top < 0 || bot - top < 8) return;
  const fit = (edge: Float64Array) => {
    let n = 0, sy = 0, sx = 0, syy = 0, sxy = 0;
    for (let y = Math.round((top + bot) / 2); y <= bot; y++) {
      const x = edge[y]!;
      if (x !== x) continue;
      n++; sy += y; sx += x; syy += y * y; sxy += x * y;
    }
    const d = n * syy - sy * sy;
    if (n < 4 || d === 0) return null;
    const b = (n * sxy - sy * sx) / d;
    return { a: (sx - b * sy) / n, b };
  };
  const L = fit(left), R = fit(right);
  if (!L || !R || !(L.b > 0) || !(R.b < 0)) return;
  const tip = Math.min(h - 1, bot + 0.5 * (bot - top), (R.a - L.a) / (L.b - R.b));
  for (let y = bot + 1; y <= tip; y++) {
    const xl = Math.ceil(L.a + L.b * y), xr = Math.floor(R.a + R.b * y);
    for (let x = Math.max(0, xl); x <= Math.min(w - 1, xr); x++) if (on(x, y)) region[y * w + x] = 1;
  }
}

/**
 * What the dark inside of the back encloses is the back's too: its label (pale, so not "dark"), left
 * out, was drawn on the wearer's throat as a patch. Regions of not-set pixels that do not reach the
 * set pixels' bounding box are set.
 */
export function fillHoles(region: Uint8Array, w: number, h: number): void {
  const e = maskExtent(region, w, h, 1);
  if (!e) return;
  const { x0, y0, x1, y1 } = e;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const gap = new Uint8Array(bw * bh);
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) gap[(y - y0) * bw + x - x0] = region[y * w + x] ? 0 : 1;
  const { labels, sizes } = components(gap, bw, bh);
  const open = new Uint8Array(sizes.length);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      if (x > 0 && x < bw - 1 && y > 0 && y < bh - 1) continue;
      open[labels[y * bw + x]!] = 1;
    }
  }
  for (let j = 0; j < gap.length; j++) {
    const l = labels[j]!;
    if (l && !open[l]) region[(y0 + ((j / bw) | 0)) * w + x0 + (j % bw)] = 1;
  }
}

/**
 * Grey-level closing (max, then min, over a (2r+1)² square) of `value` over `box` (row-major, box
 * sized); NaN pixels (off the garment) take part in neither and stay NaN.
 */
export function greyClosing(box: PixelBox, w: number, r: number, value: (i: number) => number): Float32Array {
  const bw = box.x1 - box.x0 + 1, bh = box.y1 - box.y0 + 1;
  const v = new Float32Array(bw * bh);
  const off = new Uint8Array(bw * bh);
  for (let y = 0; y < bh; y++)
    for (let x = 0; x < bw; x++) {
      const u = value((box.y0 + y) * w + box.x0 + x);
      if (u !== u) off[y * bw + x] = 1;
      v[y * bw + x] = u;
    }
  const line = new Float32Array(Math.max(bw, bh)), res = new Float32Array(line.length);
  const queue = new Int32Array(line.length);
  const pass = (max: boolean, horizontal: boolean) => {
    // Off-garment pixels never win: the lowest value for a max, the highest for a min.
    const none = max ? -Infinity : Infinity;
    const [lines, len, step, stride] = horizontal ? [bh, bw, 1, bw] : [bw, bh, bw, 1];
    for (let l = 0; l < lines; l++) {
      const base = l * stride;
      // Off pixels take no part in a max (or a min) over the square: masked in its first, horizontal
      // pass; its vertical pass reads the row results stored there like any other's.
      for (let k = 0; k < len; k++) {
        const i = base + k * step;
        line[k] = horizontal && off[i] ? none : v[i]!;
      }
      slidingExtreme(line, len, r, max, queue, res);
      for (let k = 0; k < len; k++) v[base + k * step] = res[k]!;
    }
  };
  pass(true, true);
  pass(true, false);
  pass(false, true);
  pass(false, false);
  for (let i = 0; i < v.length; i++) if (off[i]) v[i] = NaN;
  return v;
}

/** out[k] = the max (or min) of line[k-r .. k+r] within 0..len-1, by a monotonic queue (O(len)). */
function slidingExtreme(line: Float32Array, len: number, r: number, max: boolean, queue: Int32Array, out: Float32Array): void {
  // A min is a max of the negated values.
  const sg = max ? 1 : -1;
  let head = 0, tail = 0;
  for (let j = 0; j < len + r; j++) {
    if (j < len) {
      const v = sg * line[j]!;
      while (tail > head && v >= sg * line[queue[tail - 1]!]!) tail--;
      queue[tail++] = j;
    }
    const k = j - r;
    if (k < 0) continue;
    if (queue[head]! < k - r) head++;
    out[k] = line[queue[head]!]!;
  }
}

/** Interquartile range of sorted values. */
function iqr(sorted: number[]): number {
  return sorted[(3 * sorted.length) >> 2]! - sorted[sorted.length >> 2]!;
}
