// Mesh warp: a quad grid of garment points onto a quad grid of output points, piecewise bilinear.
import type { Box, Point } from '../types.js';
import { boundsOf, newWarpMap, type WarpMap } from './grid.js';

/** A grid of cols × rows nodes; node (i, j) is at index j * cols + i. Quads join neighbouring nodes. */
export interface QuadMesh {
  cols: number;
  rows: number;
  x: Float64Array;
  y: Float64Array;
}

export function meshFromPoints(cols: number, rows: number, points: Point[]): QuadMesh {
  if (points.length !== cols * rows) throw new Error(`meshFromPoints: ${points.length} points for a ${cols}×${rows} grid`);
  const x = new Float64Array(points.length);
  const y = new Float64Array(points.length);
  points.forEach((p, i) => {
    x[i] = p.x;
    y[i] = p.y;
  });
  return { cols, rows, x, y };
}

/**
 * Inverse-maps every output pixel covered by the dst mesh to the matching place in the src mesh:
 * inside each quad, the output pixel's bilinear coordinates (u, v) in the dst quad are found
 * analytically and the same (u, v) is evaluated in the src quad. Where dst quads overlap (a folded
 * mesh) the later quad wins. Pixels no quad covers are NaN.
 */
export function meshWarp(src: QuadMesh, dst: QuadMesh, box: Box = boundsOf(dst.x, dst.y)): WarpMap {
  if (src.cols !== dst.cols || src.rows !== dst.rows) throw new Error('meshWarp: source and destination grids differ in size');
  const out = newWarpMap(box);
  const { width: w, height: h, mapX, mapY } = out;
  const bx = out.box.x;
  const by = out.box.y;
  const uv = new Float64Array(2);
  const cov = new Uint8Array(w * h);
  const cols = dst.cols;
  for (let j = 0; j + 1 < dst.rows; j++) {
    for (let i = 0; i + 1 < cols; i++) {
      const a = j * cols + i;
      const b = a + 1;
      const c = a + cols + 1;
      const d = a + cols;
      const ax = dst.x[a]!;
      const ay = dst.y[a]!;
      const ex = dst.x[b]! - ax;
      const ey = dst.y[b]! - ay;
      const fx = dst.x[d]! - ax;
      const fy = dst.y[d]! - ay;
      const gx = ax - dst.x[b]! + dst.x[c]! - dst.x[d]!;
      const gy = ay - dst.y[b]! + dst.y[c]! - dst.y[d]!;
      const x0 = Math.max(0, Math.floor(Math.min(ax, dst.x[b]!, dst.x[c]!, dst.x[d]!)) - bx);
      const x1 = Math.min(w - 1, Math.ceil(Math.max(ax, dst.x[b]!, dst.x[c]!, dst.x[d]!)) - bx);
      const y0 = Math.max(0, Math.floor(Math.min(ay, dst.y[b]!, dst.y[c]!, dst.y[d]!)) - by);
      const y1 = Math.min(h - 1, Math.ceil(Math.max(ay, dst.y[b]!, dst.y[c]!, dst.y[d]!)) - by);
      const sax = src.x[a]!;
      const say = src.y[a]!;
      const sbx = src.x[b]!;
      const sby = src.y[b]!;
      const scx = src.x[c]!;
      const scy = src.y[c]!;
      const sdx = src.x[d]!;
      const sdy = src.y[d]!;
      // Source displacement per output pixel (the quad taken as the parallelogram at corner a).
      const det = ex * fy - ey * fx || 1e-12;
      const jxx = ((sbx - sax) * fy - (sdx - sax) * ey) / det, jxy = ((sdx - sax) * ex - (sbx - sax) * fx) / det;
      const jyx = ((sby - say) * fy - (sdy - say) * ey) / det, jyy = ((sdy - say) * ex - (sby - say) * fx) / det;
      for (let y = y0; y <= y1; y++) {
        for (let x = x0; x <= x1; x++) {
          const hx = x + bx - ax, hy = y + by - ay;
          // Coverage: four sub-pixel samples, so the mesh's outer edge is anti-aliased, not stair-stepped.
          let k = 0, su = -1, sv = -1, sox = 0, soy = 0;
          for (const [ox, oy] of SUB) {
            if (!inverseBilinear(hx + ox, hy + oy, ex, ey, fx, fy, gx, gy, uv)) continue;
            k++;
            if (su < 0) { su = uv[0]!; sv = uv[1]!; sox = ox; soy = oy; }
          }
          const o = y * w + x;
          if (k) cov[o] = Math.min(4, cov[o]! + k);
          if (inverseBilinear(hx, hy, ex, ey, fx, fy, gx, gy, uv)) {
            const u = uv[0]!, v = uv[1]!;
            mapX[o] = (1 - v) * ((1 - u) * sax + u * sbx) + v * ((1 - u) * sdx + u * scx);
            mapY[o] = (1 - v) * ((1 - u) * say + u * sby) + v * ((1 - u) * sdy + u * scy);
          } else if (k && mapX[o] !== mapX[o]) {
            // The centre is just outside: the covered sample's source, carried back to the centre by the quad's local Jacobian.
            const u = su, v = sv;
            const px = (1 - v) * ((1 - u) * sax + u * sbx) + v * ((1 - u) * sdx + u * scx);
            const py = (1 - v) * ((1 - u) * say + u * sby) + v * ((1 - u) * sdy + u * scy);
            mapX[o] = px - (jxx * sox + jxy * soy);
            mapY[o] = py - (jyx * sox + jyy * soy);
          }
        }
      }
    }
  }
  out.coverage = cov;
  return out;
}

const EPS = 1e-6;
/** Sub-pixel sample offsets (a rotated grid) for edge coverage. */
const SUB: readonly (readonly [number, number])[] = [[-0.375, -0.125], [0.125, -0.375], [0.375, 0.125], [-0.125, 0.375]];

/**
 * Solves h = e·u + f·v + g·u·v for (u, v) in the unit square (h, e, f, g relative to corner a;
 * b = a + e, d = a + f, c = a + e + f + g). Returns false when the point is outside the quad.
 */
function inverseBilinear(
  hx: number,
  hy: number,
  ex: number,
  ey: number,
  fx: number,
  fy: number,
  gx: number,
  gy: number,
  out: Float64Array,
): boolean {
  const k2 = gx * fy - gy * fx;
  const k1 = ex * fy - ey * fx + hx * gy - hy * gx;
  const k0 = hx * ey - hy * ex;
  if (Math.abs(k2) < 1e-9 * (Math.abs(k1) + 1e-12)) {
    // Parallelogram (or close): the equation in v is linear.
    if (Math.abs(k1) < 1e-12) return false;
    return accept(-k0 / k1, hx, hy, ex, ey, fx, fy, gx, gy, out);
  }
  let disc = k1 * k1 - 4 * k0 * k2;
  if (disc < 0) {
    if (disc < -1e-9 * k1 * k1) return false;
    disc = 0;
  }
  const r = Math.sqrt(disc);
  const i2 = 0.5 / k2;
  return accept((-k1 - r) * i2, hx, hy, ex, ey, fx, fy, gx, gy, out) || accept((-k1 + r) * i2, hx, hy, ex, ey, fx, fy, gx, gy, out);
}

function accept(
  v: number,
  hx: number,
  hy: number,
  ex: number,
  ey: number,
  fx: number,
  fy: number,
  gx: number,
  gy: number,
  out: Float64Array,
): boolean {
  if (v < -EPS || v > 1 + EPS) return false;
  const dx = ex + gx * v;
  const dy = ey + gy * v;
  // Divide by the larger component of the u direction to stay stable on axis-aligned edges.
  const u = Math.abs(dx) >= Math.abs(dy) ? (hx - fx * v) / dx : (hy - fy * v) / dy;
  if (!(u >= -EPS && u <= 1 + EPS)) return false;
  out[0] = u < 0 ? 0 : u > 1 ? 1 : u;
  out[1] = v < 0 ? 0 : v > 1 ? 1 : v;
  return true;
}
