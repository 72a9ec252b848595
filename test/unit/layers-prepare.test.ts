// Model layers on the CGI samples: agnostic changes only the old top, fills look like skin / backdrop, front layer, print-free shading.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { NetworkRegistry } from '../../src/inference/registry.js';
import { analyzeModel } from '../../src/pipeline/person/analyze.js';
import { prepareModelLayers } from '../../src/pipeline/person/layers/index.js';
import { grow } from '../../src/pipeline/person/layers/raster.js';
import { PARSE_LABELS, type ModelAnalysis, type ModelLayers } from '../../src/pipeline/types.js';

const DIR = 'samples/models';
const SAMPLES = readdirSync(DIR).filter((f) => f.endsWith('.jpg')).sort();
const L = PARSE_LABELS;
const nets = new NetworkRegistry({ networksDir: 'models' });
const runs = new Map<string, { a: ModelAnalysis; layers: ModelLayers; ms: number }>();

beforeAll(async () => {
  for (const f of SAMPLES) {
    const a = await analyzeModel(readFileSync(path.join(DIR, f)), nets);
    const t = performance.now();
    const layers = await prepareModelLayers(a);
    runs.set(f, { a, layers, ms: performance.now() - t });
  }
}, 900_000);

/** sRGB 0..255 → CIELAB (D65). */
function lab(r: number, g: number, b: number): [number, number, number] {
  const lin = (v: number) => { const c = v / 255; return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
  const R = lin(r), G = lin(g), B = lin(b);
  const f = (t: number) => (t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116);
  const x = f((0.4124 * R + 0.3576 * G + 0.1805 * B) / 0.95047), y = f(0.2126 * R + 0.7152 * G + 0.0722 * B), z = f((0.0193 * R + 0.1192 * G + 0.9505 * B) / 1.08883);
  return [116 * y - 16, 500 * (x - y), 200 * (y - z)];
}

/** Mean Lab colour of the pixels where keep(i) holds. */
function meanLab(px: Uint8Array, n: number, keep: (i: number) => boolean): [number, number, number] | null {
  let r = 0, g = 0, b = 0, c = 0;
  for (let i = 0; i < n; i++) if (keep(i)) { r += px[i * 4]!; g += px[i * 4 + 1]!; b += px[i * 4 + 2]!; c++; }
  return c < 30 ? null : lab(r / c, g / c, b / c);
}
const dE = (p: number[], q: number[]) => Math.hypot(p[0]! - q[0]!, p[1]! - q[1]!, p[2]! - q[2]!);

/** Std of luminance detail (pixel minus its 5×5 mean) over the pixels where keep(i) holds. */
function detailStd(px: Uint8Array, w: number, h: number, keep: (i: number) => boolean): number {
  let s = 0, s2 = 0, c = 0;
  for (let y = 2; y < h - 2; y++) {
    for (let x = 2; x < w - 2; x++) {
      const i = y * w + x;
      if (!keep(i)) continue;
      let m = 0, all = true;
      for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
        const j = i + dy * w + dx;
        if (!keep(j)) all = false;
        m += 0.299 * px[j * 4]! + 0.587 * px[j * 4 + 1]! + 0.114 * px[j * 4 + 2]!;
      }
      if (!all) continue;
      const v = 0.299 * px[i * 4]! + 0.587 * px[i * 4 + 1]! + 0.114 * px[i * 4 + 2]! - m / 25;
      s += v; s2 += v * v; c++;
    }
  }
  return c === 0 ? 0 : Math.sqrt(Math.max(0, s2 / c - (s / c) ** 2));
}

describe.each(SAMPLES)('prepareModelLayers on %s', (file) => {
  const run = () => runs.get(file)!;

  it('changes the photo only where the old top was, and on bare arm skin just below a sleeve\'s hem', () => {
    const { a, layers } = run();
    const o = layers.old_clothing.data, p = a.image.data, q = layers.agnostic.data, lab = a.parsing.data;
    // The fill fades into the arm's skin over a band of 0.035 shoulder widths below a hem.
    const seam = grow(o.map((v) => (v ? 1 : 0)), a.width, a.height, Math.ceil(0.05 * Math.max(a.measurements.shoulder_width, 0.2 * a.person_box.width)));
    // Right at the hem the arm's pixels are the sleeve's shadow and fringe: those may be replaced outright.
    const hemLine = grow(o.map((v) => (v ? 1 : 0)), a.width, a.height, 3);
    let worst = 0, worstBand = 0, oldCount = 0;
    for (let i = 0; i < o.length; i++) {
      if (o[i]) { oldCount++; continue; }
      let d = 0;
      for (let k = 0; k < 4; k++) d = Math.max(d, Math.abs(p[i * 4 + k]! - q[i * 4 + k]!));
      if (seam[i] && (lab[i] === L.left_arm || lab[i] === L.right_arm)) { if (!hemLine[i]) worstBand = Math.max(worstBand, d); }
      else worst = Math.max(worst, d);
    }
    expect(worst).toBeLessThanOrEqual(2);
    // The band blends towards the photo: no pixel of it is replaced outright by something unrelated.
    expect(worstBand).toBeLessThanOrEqual(90);
    // Every sample wears a top: something was removed, and every removed pixel was filled as one or the other.
    expect(oldCount).toBeGreaterThan(0.01 * o.length);
    for (let i = 0; i < o.length; i++) if (o[i]) expect(layers.filled_skin.data[i]! + layers.filled_background.data[i]!).toBe(255);
  });

  it('fills skin in the person\'s own skin colour, with texture', () => {
    const { a, layers } = run();
    const n = a.width * a.height;
    const fs = layers.filled_skin.data, lab = a.parsing.data;
    const filled = meanLab(layers.agnostic.data, n, (i) => fs[i]! > 0);
    // The body's own visible skin: a face is often lit differently (shadowed by hair or a hard key light).
    const skin = meanLab(a.image.data, n, (i) => lab[i] === L.left_arm || lab[i] === L.right_arm || lab[i] === L.neck || lab[i] === L.torso_skin);
    expect(filled).not.toBeNull();
    expect(skin).not.toBeNull();
    const d = dE(filled!, skin!);
    const texture = detailStd(layers.agnostic.data, a.width, a.height, (i) => fs[i]! > 0);
    // ΔE 12: the same person's neck and arms differ from each other by 3–9 here (light falls
    // differently on them; the fill is 1.3–8.9 away); a fill in the old top's colour or a generic beige is 20+ away.
    expect(d).toBeLessThanOrEqual(12);
    // A membrane (flat) fill has fine detail ≈ 0; real skin here has 1–5 levels.
    expect(texture).toBeGreaterThan(0.6);
  });

  it('fills background like the backdrop around it', () => {
    const { a, layers } = run();
    const n = a.width * a.height;
    const fb = layers.filled_background.data;
    const W = a.width;
    // The backdrop a little to either side of each filled pixel (its own photo pixels, not filled).
    const near = new Uint8Array(n);
    const off = Math.max(6, Math.round(W / 80));
    for (let i = 0; i < n; i++) {
      if (!fb[i]) continue;
      for (const j of [i - off, i + off]) if (j >= 0 && j < n && ((j % W) - (i % W)) ** 2 === off * off && !layers.old_clothing.data[j] && a.parsing.data[j] === L.background && a.mask.data[j]! < 64) near[j] = 1;
    }
    const filled = meanLab(layers.agnostic.data, n, (i) => fb[i]! > 0);
    const around = meanLab(a.image.data, n, (i) => near[i]! > 0);
    // Some samples' tops lie inside the body outline everywhere: nothing to compare.
    if (!filled || !around) return;
    expect(dE(filled, around)).toBeLessThanOrEqual(8);
  });

  it('keeps a print-free, normalised, clamped shading gain', () => {
    const { a, layers } = run();
    const g = layers.shading.gain, o = layers.old_clothing.data;
    let s = 0, c = 0, lo = Infinity, hi = -Infinity;
    for (let i = 0; i < g.length; i++) {
      lo = Math.min(lo, g[i]!); hi = Math.max(hi, g[i]!);
      if (o[i]) { s += g[i]!; c++; }
    }
    expect(s / c).toBeGreaterThanOrEqual(0.9);
    expect(s / c).toBeLessThanOrEqual(1.1);
    expect(lo).toBeGreaterThanOrEqual(0.6 - 1e-6);
    expect(hi).toBeLessThanOrEqual(1.25 + 1e-6);
  });
});

/** Share of the gain's gradient energy, relative to the photo's luminance gradient energy, on the top's chroma edges. */
function printLeak(a: ModelAnalysis, layers: ModelLayers): { ratio: number; edges: number } {
  const { width: W, height: H } = a;
  const p = a.image.data, g = layers.shading.gain, o = layers.old_clothing.data;
  const chrom = (i: number) => { const s = p[i * 4]! + p[i * 4 + 1]! + p[i * 4 + 2]! + 3; return [(255 * (p[i * 4]! + 1)) / s, (255 * (p[i * 4 + 1]! + 1)) / s]; };
  const lum = (i: number) => 0.299 * p[i * 4]! + 0.587 * p[i * 4 + 1]! + 0.114 * p[i * 4 + 2]!;
  let med = 0, c = 0;
  for (let i = 0; i < o.length; i++) if (o[i]) { med += lum(i); c++; }
  med /= c;
  let eg = 0, el = 0, edges = 0;
  for (let y = 3; y < H - 3; y++) {
    for (let x = 3; x < W - 3; x++) {
      const i = y * W + x;
      if (!o[i] || !o[i - 3] || !o[i + 3] || !o[i - 3 * W] || !o[i + 3 * W]) continue;
      const [r1, g1] = chrom(i - 1), [r2, g2] = chrom(i + 1), [r3, g3] = chrom(i - W), [r4, g4] = chrom(i + W);
      if (Math.hypot(r2! - r1!, g2! - g1!) + Math.hypot(r4! - r3!, g4! - g3!) < 12) continue;
      edges++;
      eg += (g[i + 1]! - g[i - 1]!) ** 2 + (g[i + W]! - g[i - W]!) ** 2;
      el += ((lum(i + 1) - lum(i - 1)) / med) ** 2 + ((lum(i + W) - lum(i - W)) / med) ** 2;
    }
  }
  return { ratio: el > 0 ? eg / el : 0, edges };
}

describe('front layer and print-free shading', () => {
  it('has a front layer on cgi-model-27 (raised arm by the hair), and not the dark collar under ai-upper\'s chin', () => {
    const count = (f: string, keep: (l: number, i: number) => boolean) => {
      const { a, layers } = runs.get(f)!;
      let k = 0;
      for (let i = 0; i < a.width * a.height; i++) if (layers.front.data[i * 4 + 3]! >= 128 && keep(a.parsing.data[i]!, i)) k++;
      return k;
    };
    // cgi-model-27 raises one arm to her face: its hand and the hair over the shoulders lie over where a top goes.
    expect(count('cgi-model-27.jpg', () => true)).toBeGreaterThan(100);
    // ai-upper's navy top has a dark collar band under her chin. The part grid took it for hair, which
    // put it in front of every new garment (1728 dark "hair" front pixels below the chin with
    // those labels; 134 now, wisps of the ponytail); it is the old top.
    const { a } = runs.get('ai-upper.jpg')!;
    const chin = a.face!.box.y + a.face!.box.height;
    const p = a.image.data;
    const dark = (i: number) => 0.299 * p[i * 4]! + 0.587 * p[i * 4 + 1]! + 0.114 * p[i * 4 + 2]! < 70;
    expect(count('ai-upper.jpg', (l, i) => l === L.hair && i >= (chin + 0.05 * a.measurements.shoulder_width) * a.width && dark(i))).toBeLessThan(400);
    // Soft edges: some partial alpha, not only 0/255.
    const { layers } = runs.get('ai-upper.jpg')!;
    let partial = 0;
    for (let i = 3; i < layers.front.data.length; i += 4) if (layers.front.data[i]! > 10 && layers.front.data[i]! < 245) partial++;
    expect(partial).toBeGreaterThan(50);
  });

  it.each(['cgi-model-27.jpg', 'ai-upper.jpg'])('has no edge along the old print on %s', (f) => {
    const { a, layers } = runs.get(f)!;
    const { ratio, edges } = printLeak(a, layers);
    // The print's outline is there to test against: the photo's luminance jumps along it.
    if (f === 'cgi-model-27.jpg') expect(edges).toBeGreaterThan(500);
    expect(ratio).toBeLessThanOrEqual(0.02);
  });
});

describe('the body outline’s arms', () => {
  it('are about as wide as the bare arms the parsing shows (not the mask’s width across torso or old sleeve)', async () => {
    const { bodyOutline } = await import('../../src/pipeline/person/layers/body-outline.js');
    let checked = 0;
    for (const f of SAMPLES) {
      const { a } = runs.get(f)!;
      const o = bodyOutline(a);
      for (const cap of o.arms) {
        const { seg, side } = cap;
        // Only forearms: the capsule from elbow to wrist.
        if (o.skeleton.arms[side].lower !== seg) continue;
        const label = side === 'left' ? L.left_arm : L.right_arm;
        const len = Math.hypot(seg.b.x - seg.a.x, seg.b.y - seg.a.y) || 1;
        const nx = -(seg.b.y - seg.a.y) / len, ny = (seg.b.x - seg.a.x) / len;
        const mid = { x: (seg.a.x + seg.b.x) / 2, y: (seg.a.y + seg.b.y) / 2 };
        const hit = (o2: number) => {
          const x = Math.round(mid.x + nx * o2), y = Math.round(mid.y + ny * o2);
          return x >= 0 && y >= 0 && x < a.width && y < a.height && a.parsing.data[y * a.width + x] === label;
        };
        if (!hit(0)) continue;
        let l = 0, r = 0;
        while (hit(-l - 1)) l++;
        while (hit(r + 1)) r++;
        const bare = l + r + 1;
        const capsule = cap.ra + cap.rb;
        expect(capsule / bare, `${f} ${side}`).toBeGreaterThan(0.7);
        expect(capsule / bare, `${f} ${side}`).toBeLessThan(1.4);
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(4);
  });
});

describe('the backdrop fill', () => {
  it('takes no tint from the fringe just outside the person’s outline', async () => {
    // The backdrop within two pixels of the person painted red (an anti-aliased fringe, exaggerated):
    // the fill of the old top's outside should not pick it up.
    let checked = 0;
    for (const f of SAMPLES) {
      const { a, layers } = runs.get(f)!;
      const W = a.width, H = a.height, n = W * H;
      let area = 0;
      for (let i = 0; i < n; i++) if (layers.filled_background.data[i]) area++;
      if (area < 500) continue;
      const img = Uint8Array.from(a.image.data);
      for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
        const i = y * W + x;
        if (a.mask.data[i]! >= 64) continue;
        let near = false;
        for (let dy = -2; dy <= 2 && !near; dy++) for (let dx = -2; dx <= 2 && !near; dx++) {
          const xx = x + dx, yy = y + dy;
          if (xx >= 0 && yy >= 0 && xx < W && yy < H && a.mask.data[yy * W + xx]! >= 64) near = true;
        }
        if (near) img.set([255, 0, 0], i * 4);
      }
      const fringed = await prepareModelLayers({ ...a, image: { ...a.image, data: img } });
      let redder = 0, count = 0;
      for (let i = 0; i < n; i++) {
        if (!fringed.filled_background.data[i]) continue;
        const o = i * 4, p = fringed.agnostic.data, q = layers.agnostic.data;
        redder += (p[o]! - p[o + 1]!) - (q[o]! - q[o + 1]!);
        count++;
      }
      // Mean red excess over the fill of the untouched photo, grey levels: 139 on ai-body when the
      // fringe was a source, 6.5 now (the fill's feathered seam still meets painted pixels).
      expect(redder / count, f).toBeLessThan(12);
      checked++;
      if (checked >= 2) break;
    }
    expect(checked).toBeGreaterThanOrEqual(1);
  });
});
