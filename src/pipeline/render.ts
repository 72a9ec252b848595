// The render stage (DESIGN.md "Render"): targets → warp → shade → composite → enhance → quality, plus the naive paste baseline.
import { shadeGarment, shadeSleeves } from './composite/shade.js';
import { armsInSleeves } from './composite/arms-in-sleeves.js';
import { armCutFade, composeRender } from './composite/compose.js';
import { applyRenderEnhancement, IDENTITY_TONE, type ToneParams } from './enhance/index.js';
import { InputError } from './errors.js';
import { parseRenderOptions, type RenderOptionsInput } from './options.js';
import { qualityReport, type QualityReport } from './quality.js';
import type { GarmentAnalysis, Mask, ModelAnalysis, ModelLayers, RgbaImage } from './types.js';
import { buildWarpMap } from './warp/grid.js';
import { warpGarment } from './warp/garment-warp.js';
import { buildMipPyramid, sampleWarp, type MipPyramid } from './warp/sample.js';
import { drapeOverShoulders } from './warp/shoulder-drape.js';
import { computeTargets, type Targets } from './warp/targets.js';

export interface RenderInput {
  model: ModelAnalysis;
  layers: ModelLayers;
  garment: GarmentAnalysis;
  /** Background pixels when options.background is {image_key}: the caller reads storage, not the pipeline. */
  background?: RgbaImage;
  /** The model's prepared enhancement tone (prepareEnhancement), applied to the garment region. */
  tone?: ToneParams;
}

export interface RenderResult {
  image: RgbaImage;
  quality: QualityReport;
  timings_ms: Record<string, number>;
  /** The warped garment's coverage in model pixels (before arms and hair go in front). */
  garment_mask: Mask;
  /** Where each garment landmark landed (model pixels), for overlays and the designer's handles. */
  targets: Targets;
  /** Where the lower clothing was carried up to a shorter top's hem (255), or null. */
  raised: Mask | null;
  /** Where the photo's top was kept under the garment instead of invented skin (255), or null. */
  kept: Mask | null;
}

export function renderTryOn(input: RenderInput, options: RenderOptionsInput = {}): RenderResult {
  const opts = parseRenderOptions(options);
  const { model, layers, garment } = input;
  const timings: Record<string, number> = {};
  const start = performance.now();
  let t = start;
  const lap = (stage: string) => {
    const now = performance.now();
    timings[stage] = Math.round((now - t) * 10) / 10;
    t = now;
  };
  let background: [number, number, number] | RgbaImage | undefined;
  if (typeof opts.background === 'object' && 'colour' in opts.background) {
    const h = opts.background.colour;
    background = [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
  } else if (typeof opts.background === 'object') {
    if (!input.background) throw new InputError('bad-option', `background image "${opts.background.image_key}" was asked for but its pixels were not passed to the render`);
    background = input.background;
  }

  const targets = computeTargets(model, garment, opts, layers.body);
  lap('targets');
  const warped = warpGarment(garment, targets, { width: model.width, height: model.height });
  for (const [k, v] of Object.entries(warped.timings_ms)) timings[`warp_${k}`] = v;
  // Merchants saw such sleeves as plain, the check lost: worth a look.
  if (warped.softenedSleeves) targets.warnings.push('the sleeves’ fine check is drawn softened (prefiltered against moiré where the sleeves narrow): check them');
  // Over the shoulders the garment lies on the person's outline (no flat corners standing in the air).
  if (garment.category !== 'bottom') drapeOverShoulders([warped.garment, warped.panel, warped.sleeves], model.mask, targets.points, targets.shoulderWidth, opts.fit);
  lap('warp');
  // The combined garment is used for its alpha only (shadow, mask, quality): shade what is drawn.
  for (const img of [warped.panel, warped.collar]) if (img) shadeGarment(img, layers, opts.shading);
  if (warped.sleeves) shadeSleeves(warped.sleeves, layers, opts.shading);
  lap('shade');
  const armpitRows = { left: targets.points.armpit_left?.y ?? null, right: targets.points.armpit_right?.y ?? null };
  const composed = composeRender({ model, layers, garment: warped.garment, panel: warped.panel, sleeves: warped.sleeves, collar: warped.collar,
    background,
    raiseLower: garment.category === 'top',
    layerOverOld: opts.layering === 'auto' && garment.category !== 'bottom',
    tuck: targets.tuck,
    keepUpper: garment.category === 'bottom',
    inSleeves: armsInSleeves(targets.sleeves, model.width, model.height, armCutFade(model.measurements.shoulder_width)),
    armpits: targets.sleeves.length ? armpitRows : undefined,
    armholes: !targets.sleeves.length && garment.category !== 'bottom' ? armpitRows : undefined,
    neckline: garment.category !== 'bottom' && targets.points.neck_right && targets.points.neck_front && targets.points.neck_left
      ? [targets.points.neck_right, targets.points.neck_front, targets.points.neck_left] : undefined,
  });
  let image: RgbaImage = { width: composed.width, height: composed.height, data: composed.data };
  lap('composite');
  const n = model.width * model.height;
  const gm = new Uint8Array(n);
  for (let i = 0; i < n; i++) gm[i] = warped.garment.data[i * 4 + 3]!;
  const garment_mask: Mask = { width: model.width, height: model.height, data: gm };
  if (opts.enhancement > 0) {
    image = applyRenderEnhancement(image, garment_mask, input.tone ?? IDENTITY_TONE, { level: opts.enhancement, face_super_resolution: false, face_retouch: false });
    lap('enhance');
  }
  const quality = qualityReport(model, layers, garment, targets, warped.garment, composed.raised, composed.kept);
  lap('quality');
  timings.total = Math.round((performance.now() - start) * 10) / 10;
  return { image, quality, timings_ms: timings, garment_mask, targets, raised: composed.raised, kept: composed.kept };
}

const pasteCache = new WeakMap<GarmentAnalysis, MipPyramid>();

/**
 * The naive baseline (QUALITY.md): the garment's bounding box pasted affinely between the shoulders
 * and the hips over the original photo, no warp, no shading, no occlusion. Options other than offset
 * and scale are ignored; the quality report is computed as for a render (it needs the layers).
 */
export function renderPaste(
  input: { model: ModelAnalysis; garment: GarmentAnalysis; layers: ModelLayers },
  options: RenderOptionsInput = {},
): { image: RgbaImage; quality: QualityReport; timings_ms: Record<string, number>; garment_mask: Mask } {
  const opts = parseRenderOptions(options);
  const start = performance.now();
  const { model: m, garment: g } = input;
  let pyr = pasteCache.get(g);
  if (!pyr) {
    pyr = buildMipPyramid(g.image);
    pasteCache.set(g, pyr);
  }
  const mb = maskBox(g.mask);
  const k = m.pose.keypoints;
  const S = m.measurements.shoulder_width;
  const gl = g.landmarks;
  const gS = gl.shoulder_left && gl.shoulder_right ? Math.abs(gl.shoulder_left.x - gl.shoulder_right.x) : mb.width / 1.6;
  const sx = (S / Math.max(1, gS)) * opts.scale;
  const top = Math.min(m.measurements.shoulder_left.y, m.measurements.shoulder_right.y) - 0.05 * S + opts.offset.y * S;
  const bottom = (k.left_hip.y + k.right_hip.y) / 2 + opts.offset.y * S;
  const sy = (Math.max(1, bottom - top) / Math.max(1, mb.height)) * opts.scale;
  const cx = (m.measurements.shoulder_left.x + m.measurements.shoulder_right.x) / 2 + opts.offset.x * S;
  const gcx = gl.shoulder_left && gl.shoulder_right ? (gl.shoulder_left.x + gl.shoulder_right.x) / 2 : mb.x + mb.width / 2;
  const box = { x: 0, y: 0, width: m.width, height: m.height };
  const map = buildWarpMap((x, y, out) => {
    out[0] = gcx + (x - cx) / sx;
    out[1] = mb.y + (y - top) / sy;
  }, box, 16);
  const layer = sampleWarp(pyr, map);
  const n = m.width * m.height;
  const out = new Uint8Array(m.image.data);
  const gm = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * 4;
    gm[i] = layer.data[o + 3]!;
    const a = layer.data[o + 3]! / 255;
    if (a === 0) continue;
    for (let c = 0; c < 3; c++) out[o + c] = layer.data[o + c]! * a + out[o + c]! * (1 - a) + 0.5;
  }
  // The paste removes nothing: everything the old clothing covers and the garment does not, shows.
  const layers: ModelLayers = { ...input.layers, filled_skin: { ...input.layers.filled_skin, data: new Uint8Array(n) }, filled_background: { ...input.layers.filled_background, data: new Uint8Array(n) }, front: { ...input.layers.front, data: new Uint8Array(n * 4) } };
  const pseudo = { category: g.category, points: {}, landmarks: {}, panel: { garment: [], body: [] }, sleeves: [], scale: sx, shoulderWidth: S, tuck: false, brief: false, lengthened: 0, warnings: ['naive paste baseline'] } satisfies Targets;
  const quality = qualityReport(m, layers, g, pseudo, layer);
  return { image: { width: m.width, height: m.height, data: out }, quality, timings_ms: { total: Math.round((performance.now() - start) * 10) / 10 }, garment_mask: { width: m.width, height: m.height, data: gm } };
}

function maskBox(mask: Mask): { x: number; y: number; width: number; height: number } {
  let x0 = mask.width, y0 = mask.height, x1 = -1, y1 = -1;
  for (let y = 0; y < mask.height; y++) {
    for (let x = 0; x < mask.width; x++) {
      if (mask.data[y * mask.width + x]! < 128) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? { x: 0, y: 0, width: mask.width, height: mask.height } : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}
