// The old top's folds carried to the new garment, without its print's outline or its own edges: a
// longer or looser garment must show no ghost of the old top's hem, sides or logo.
import { describe, expect, it } from 'vitest';
import { shadingMap } from '../../src/pipeline/person/layers/shading.js';
import type { ModelAnalysis } from '../../src/pipeline/types.js';

const W = 240, H = 300;
const TOP = { x0: 60, x1: 180, y0: 40, y1: 220 };
const LAVENDER = [190, 170, 220];

function scene() {
  const n = W * H;
  const img = new Uint8Array(n * 4), old = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const x = i % W, y = (i / W) | 0;
    let c = [235, 235, 235];
    if (x >= TOP.x0 && x < TOP.x1 && y >= TOP.y0 && y < TOP.y1) {
      old[i] = 1;
      // A soft vertical fold, 15% darker at x 150; a darker hem band along the bottom; a dark logo.
      const fold = 1 - 0.15 * Math.exp(-(((x - 150) / 8) ** 2));
      const hem = y >= TOP.y1 - 6 ? 0.7 : 1;
      c = LAVENDER.map((v) => v * fold * hem);
      if (x >= 90 && x < 130 && y >= 80 && y < 100) c = [70, 40, 110];
    }
    img.set([Math.round(c[0]!), Math.round(c[1]!), Math.round(c[2]!), 255], i * 4);
  }
  const a = {
    width: W, height: H, image: { width: W, height: H, data: img },
    parsing: { width: W, height: H, data: new Uint8Array(n) },
    measurements: { shoulder_left: { x: 180, y: 40 }, shoulder_right: { x: 60, y: 40 } },
  } as unknown as ModelAnalysis;
  return { a, old, shape: new Float32Array(n).fill(0.86) };
}

describe('shadingMap from a plain old top', () => {
  const { a, old, shape } = scene();
  const m = shadingMap(a, old, shape);
  const g = (x: number, y: number) => m.gain[y * W + x]!;

  it('reads its folds', () => {
    expect(m.source).toBe('clothing');
    expect(g(150, 150)).toBeLessThan(g(100, 150) - 0.06);
  });

  it('goes on past its outline without a step, and turns into the body-shape gain well away from it', () => {
    for (const [ix, iy, ox, oy] of [[TOP.x0 + 3, 150, TOP.x0 - 3, 150], [100, TOP.y1 - 2, 100, TOP.y1 + 4], [100, TOP.y0 + 2, 100, TOP.y0 - 4]] as const) {
      expect(Math.abs(g(ix, iy) - g(ox, oy)), `at ${ox},${oy}`).toBeLessThan(0.03);
    }
    expect(g(100, H - 5)).toBeCloseTo(0.86, 2);
  });

  it('draws neither its hem band nor its logo\'s rim', () => {
    expect(Math.abs(g(100, TOP.y1 - 3) - g(100, 180))).toBeLessThan(0.03);
    for (const [x, y] of [[88, 90], [132, 90], [110, 78], [110, 102]] as const) expect(Math.abs(g(x, y) - g(110, 130)), `at ${x},${y}`).toBeLessThan(0.03);
  });
});
