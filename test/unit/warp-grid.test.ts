import { describe, expect, it } from 'vitest';
import { buildWarpMap, type MapFn } from '../../src/pipeline/warp/grid.js';
import { meshFromPoints, meshWarp } from '../../src/pipeline/warp/mesh.js';
import { stripToPolyline, tubeMeshes } from '../../src/pipeline/warp/tube.js';
import { fitTps } from '../../src/pipeline/warp/tps.js';

describe('buildWarpMap', () => {
  it('matches an exact TPS evaluation to a small fraction of a pixel', () => {
    const src = [
      { x: 10, y: 10 }, { x: 300, y: 20 }, { x: 20, y: 380 }, { x: 310, y: 390 }, { x: 160, y: 200 },
    ];
    const dst = src.map((p, i) => (i === 4 ? { x: p.x + 25, y: p.y - 15 } : p));
    const tps = fitTps(dst, src);
    const box = { x: 5, y: 7, width: 317, height: 397 };
    const map = buildWarpMap(tps.mapInto, box, 8);
    const out = new Float64Array(2);
    let maxErr = 0;
    for (let y = 0; y < map.height; y += 3) {
      for (let x = 0; x < map.width; x += 3) {
        tps.mapInto(box.x + x, box.y + y, out);
        const i = y * map.width + x;
        maxErr = Math.max(maxErr, Math.hypot(map.mapX[i]! - out[0]!, map.mapY[i]! - out[1]!));
      }
    }
    expect(maxErr).toBeLessThan(0.1);
    // The last row and column are filled too.
    expect(Number.isNaN(map.mapX[map.mapX.length - 1]!)).toBe(false);
  });

  it('keeps an exact outside border where fn says outside', () => {
    const fn: MapFn = (x, y, out) => {
      out[0] = (x - 50) ** 2 + (y - 50) ** 2 < 30 ** 2 ? x : NaN;
      out[1] = y;
    };
    const map = buildWarpMap(fn, { x: 0, y: 0, width: 100, height: 100 }, 8);
    let wrong = 0;
    for (let y = 0; y < 100; y++) {
      for (let x = 0; x < 100; x++) {
        const inside = (x - 50) ** 2 + (y - 50) ** 2 < 30 ** 2;
        if (inside === Number.isNaN(map.mapX[y * 100 + x]!)) wrong++;
      }
    }
    expect(wrong).toBe(0);
  });
});

describe('meshWarp', () => {
  it('maps a rotated, scaled grid back to its source exactly (bilinear is exact for affine)', () => {
    const cols = 4;
    const rows = 5;
    const srcPts = [];
    const dstPts = [];
    for (let j = 0; j < rows; j++) {
      for (let i = 0; i < cols; i++) {
        const sx = i * 40;
        const sy = j * 30;
        srcPts.push({ x: sx, y: sy });
        dstPts.push({ x: 200 + 0.8 * sx - 0.5 * sy, y: 50 + 0.5 * sx + 0.8 * sy });
      }
    }
    const map = meshWarp(meshFromPoints(cols, rows, srcPts), meshFromPoints(cols, rows, dstPts));
    const det = 0.8 * 0.8 + 0.5 * 0.5;
    let covered = 0;
    let maxErr = 0;
    for (let y = 0; y < map.height; y++) {
      for (let x = 0; x < map.width; x++) {
        const i = y * map.width + x;
        if (Number.isNaN(map.mapX[i]!)) continue;
        covered++;
        const dx = map.box.x + x - 200;
        const dy = map.box.y + y - 50;
        const ex = (0.8 * dx + 0.5 * dy) / det;
        const ey = (-0.5 * dx + 0.8 * dy) / det;
        maxErr = Math.max(maxErr, Math.hypot(map.mapX[i]! - ex, map.mapY[i]! - ey));
      }
    }
    // The destination area is det × 120 × 120 px; nearly all of it must be covered.
    expect(covered).toBeGreaterThan(0.95 * det * 120 * 120);
    expect(maxErr).toBeLessThan(1e-3);
    // Edge coverage: partial along the oblique outline (anti-aliased, not stair-stepped), and the
    // covered area sums to the quad's true area.
    const cov = map.coverage!;
    let area = 0, partial = 0;
    for (let i = 0; i < cov.length; i++) { area += cov[i]! / 4; if (cov[i]! > 0 && cov[i]! < 4) partial++; }
    expect(Math.abs(area - det * 120 * 120) / (det * 120 * 120)).toBeLessThan(0.01);
    // The outline is about 2 × (120 + 120) × √det px long; most of its pixels are partly covered.
    expect(partial).toBeGreaterThan(0.5 * 480 * Math.sqrt(det));
  });

  it('inverts a non-affine (trapezoid) quad consistently', () => {
    const src = meshFromPoints(2, 2, [{ x: 0, y: 0 }, { x: 100, y: 0 }, { x: 0, y: 100 }, { x: 100, y: 100 }]);
    const dst = meshFromPoints(2, 2, [{ x: 40, y: 0 }, { x: 60, y: 0 }, { x: 0, y: 100 }, { x: 100, y: 100 }]);
    const map = meshWarp(src, dst);
    // Midway down, the quad spans x 20..80; its centre maps to the source centre.
    const i = 50 * map.width + (50 - map.box.x);
    expect(map.mapX[i]!).toBeCloseTo(50, 3);
    expect(map.mapY[i]!).toBeCloseTo(50, 3);
    const edge = 50 * map.width + (21 - map.box.x);
    expect(map.mapX[edge]!).toBeCloseTo(100 / 60, 1);
    expect(Number.isNaN(map.mapX[50 * map.width + (18 - map.box.x)]!)).toBe(true);
  });
});

describe('stripToPolyline', () => {
  // A flat sleeve lying at 40°: side a above, side b below, cap at the left.
  const ang = (-40 * Math.PI) / 180;
  const along = { x: Math.cos(ang), y: Math.sin(ang) };
  const across = { x: -along.y, y: along.x };
  const cap = { x: 100, y: 300 };
  const strip = {
    a: [0, 160].map((t) => ({ x: cap.x + along.x * t - across.x * 40, y: cap.y + along.y * t - across.y * 40 })),
    b: [0, 160].map((t) => ({ x: cap.x + along.x * t + across.x * 40, y: cap.y + along.y * t + across.y * 40 })),
  };

  it('lays a strip along a straight arm with the tube width', () => {
    const tube = { centre: [{ x: 400, y: 100 }, { x: 420, y: 300 }], halfWidth: [30, 24] };
    const map = stripToPolyline(strip, tube);
    const at = (x: number, y: number): [number, number] => {
      const i = (y - map.box.y) * map.width + (x - map.box.x);
      return [map.mapX[i]!, map.mapY[i]!];
    };
    // The tube centre near the shoulder samples the middle of the strip's cap edge.
    const [mx, my] = at(401, 110);
    const capMid = { x: cap.x + along.x * 8, y: cap.y + along.y * 8 };
    expect(Math.hypot(mx - capMid.x, my - capMid.y)).toBeLessThan(3);
    // Across the tube at mid-length the covered width is about 2 × the half width there (27).
    let covered = 0;
    const y = 200;
    for (let x = map.box.x; x < map.box.x + map.width; x++) if (!Number.isNaN(at(x, y)[0])) covered++;
    expect(Math.abs(covered - 54)).toBeLessThanOrEqual(3);
  });

  it('bends at a 90° elbow without folding', () => {
    const tube = {
      centre: [{ x: 100, y: 100 }, { x: 100, y: 250 }, { x: 250, y: 250 }],
      halfWidth: [35, 30, 25],
    };
    const { dst } = tubeMeshes(strip, tube);
    // Every quad keeps one orientation: a fold would flip the sign of its area.
    let pos = 0;
    let neg = 0;
    for (let j = 0; j + 1 < dst.rows; j++) {
      const a = j * 2;
      const ax = dst.x[a]!, ay = dst.y[a]!;
      const bx = dst.x[a + 1]!, by = dst.y[a + 1]!;
      const cx = dst.x[a + 3]!, cy = dst.y[a + 3]!;
      const dx = dst.x[a + 2]!, dy = dst.y[a + 2]!;
      const area = (ax * by - bx * ay) + (bx * cy - cx * by) + (cx * dy - dx * cy) + (dx * ay - ax * dy);
      if (area > 1e-6) pos++;
      else if (area < -1e-6) neg++;
    }
    expect(Math.min(pos, neg)).toBe(0);
    expect(Math.max(pos, neg)).toBe(dst.rows - 1);
    // The map is continuous through the bend: neighbouring pixels sample near each other.
    const map = stripToPolyline(strip, tube);
    let maxJump = 0;
    for (let y = 0; y < map.height; y++) {
      for (let x = 1; x < map.width; x++) {
        const i = y * map.width + x;
        if (Number.isNaN(map.mapX[i]!) || Number.isNaN(map.mapX[i - 1]!)) continue;
        maxJump = Math.max(maxJump, Math.hypot(map.mapX[i]! - map.mapX[i - 1]!, map.mapY[i]! - map.mapY[i - 1]!));
      }
    }
    expect(maxJump).toBeLessThan(6);
  });

  it('keeps the sleeve unmirrored whichever way the arm runs', () => {
    const tubeDown = { centre: [{ x: 100, y: 50 }, { x: 100, y: 250 }], halfWidth: [30, 30] };
    const { src, dst } = tubeMeshes(strip, tubeDown);
    // Orientation of (along, a→b) must agree between source and destination.
    const o = (xs: Float64Array, ys: Float64Array): number => {
      const ax = xs[2]! - xs[0]!, ay = ys[2]! - ys[0]!;
      const bx = xs[1]! - xs[0]!, by = ys[1]! - ys[0]!;
      return Math.sign(ax * by - ay * bx);
    };
    expect(o(src.x, src.y)).toBe(o(dst.x, dst.y));
  });
});
