// A short-sleeved garment over a long-sleeved photo top kept under it (the layered look): the old sleeves stay whole, no arm drawn down their middle.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { NetworkRegistry } from '../../src/inference/registry.js';
import { analyzeGarment } from '../../src/pipeline/garment/analyze.js';
import { analyzeModel } from '../../src/pipeline/person/analyze.js';
import { prepareModelLayers } from '../../src/pipeline/person/layers/index.js';
import { renderTryOn, type RenderResult } from '../../src/pipeline/render.js';
import { PARSE_LABELS as L, type ModelAnalysis, type ModelLayers } from '../../src/pipeline/types.js';

let model: ModelAnalysis;
let layers: ModelLayers;
let r: RenderResult;

beforeAll(async () => {
  // A long-sleeved white knit dress; the garment a plain short-sleeved tee.
  model = await analyzeModel(readFileSync('samples/models/cgi-model-13.jpg'), new NetworkRegistry({ networksDir: 'models' }));
  layers = await prepareModelLayers(model);
  const tee = await analyzeGarment(readFileSync('samples/garments/white-tee.jpg'), { category: 'top' });
  r = renderTryOn({ model, layers, garment: tee }, {});
}, 600_000);

describe('the old top kept under a garment', () => {
  it('shows as the photo wherever it is kept (its sleeves included): no arm drawn over it', () => {
    expect(r.kept).not.toBeNull();
    const n = model.width * model.height, lab = model.parsing.data, img = model.image.data, out = r.image.data;
    let kept = 0, same = 0;
    for (let i = 0; i < n; i++) {
      // Hair and hands in front of it are theirs to show.
      if (r.kept!.data[i]! < 128 || r.garment_mask.data[i]! > 0 || lab[i] === L.hair || lab[i] === L.hands || lab[i] === L.face) continue;
      kept++;
      let d = 0;
      for (let c = 0; c < 3; c++) d = Math.max(d, Math.abs(out[i * 4 + c]! - img[i * 4 + c]!));
      if (d <= 24) same++;
    }
    expect(kept).toBeGreaterThan(2000);
    expect(same / kept).toBeGreaterThanOrEqual(0.97);
  });
});
