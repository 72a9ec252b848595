// Timings of the render's building blocks on synthetic 768×1024 inputs (what the unit tests used to time).
import { inpaint } from '../src/pipeline/composite/inpaint.js';
import { applyRenderEnhancement } from '../src/pipeline/enhance/index.js';
import { estimateTone } from '../src/pipeline/enhance/tone.js';
import type { Mask, RgbaImage } from '../src/pipeline/types.js';
import { buildWarpMap } from '../src/pipeline/warp/grid.js';
import { buildMipPyramid, sampleWarp } from '../src/pipeline/warp/sample.js';
import { fitTps } from '../src/pipeline/warp/tps.js';

const W = 768;
const H = 1024;

function pattern(): RgbaImage {
  const data = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++)
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * 4;
      data[i] = 128 + 60 * Math.sin(x / 9) * Math.cos(y / 13);
      data[i + 1] = 100 + ((x * 7 + y * 3) % 50);
      data[i + 2] = 90 + 40 * Math.sin((x + y) / 17);
      data[i + 3] = 255;
    }
  return { width: W, height: H, data };
}

function rect(x0: number, y0: number, x1: number, y1: number): Mask {
  const m = { width: W, height: H, data: new Uint8Array(W * H) };
  for (let y = y0; y < y1; y++) m.data.fill(255, y * W + x0, y * W + x1);
  return m;
}

/** Best of n, in ms of this process's CPU time (robust to other load on a shared machine). */
function bestCpu(n: number, fn: () => void): number {
  let best = Infinity;
  for (let k = 0; k < n; k++) {
    const c0 = process.cpuUsage();
    fn();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1000);
  }
  return Math.round(best * 10) / 10;
}

export function benchParts() {
  const img = pattern();
  const pyr = buildMipPyramid(img);
  const src = [{ x: 100, y: 100 }, { x: 660, y: 100 }, { x: 100, y: 900 }, { x: 660, y: 900 }, { x: 380, y: 500 }, { x: 380, y: 150 }];
  const dst = src.map((p, i) => ({ x: p.x * 0.9 + (i === 4 ? 30 : 10), y: p.y * 0.95 + (i === 5 ? -20 : 5) }));
  const tps = fitTps(dst, src);
  const box = { x: 0, y: 0, width: W, height: H };
  let map = buildWarpMap(tps.mapInto, box, 8);
  const out = new Uint8Array(W * H * 4);
  const warp = bestCpu(5, () => {
    map = buildWarpMap(tps.mapInto, box, 8, map);
    sampleWarp(pyr, map, { out });
  });
  const mask = rect(200, 300, 560, 800);
  const tone = estimateTone(img, { whiteBalance: true, tone: true });
  const enhance = bestCpu(10, () => applyRenderEnhancement(img, mask, tone, { level: 1 }));
  const fill = bestCpu(1, () => inpaint(img, rect(250, 350, 530, 670)));
  return {
    parts_cpu_ms: { warp_768x1024_trilinear: warp, render_enhancement_768x1024: enhance, inpaint_768x1024_11pct_hole: fill },
  };
}
