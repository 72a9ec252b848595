// Test helper: a person whose old top (down to y 200) is replaced by a garment ending at y 150, over lower clothing from y 200.
import { PARSE_LABELS as L, type ModelAnalysis, type ModelLayers, type Point, type RgbaImage } from '../../src/pipeline/types.js';

const kp = (p: Point) => ({ ...p, score: 0.9 });

/** Body over x 30–169 from y 40; `lower` paints the lower clothing; the elbows and wrists place the forearms. */
export function raiseScene(W: number, H: number, lower: (x: number, y: number) => number[], arms: { elbows: [Point, Point]; wrists: [Point, Point] }) {
  const img = new Uint8Array(W * H * 4).fill(235), lab = new Uint8Array(W * H);
  const old = new Uint8Array(W * H), body = new Uint8Array(W * H), skin = new Uint8Array(W * H);
  const panel: RgbaImage = { width: W, height: H, data: new Uint8Array(W * H * 4) };
  for (let y = 40; y < H; y++) {
    for (let x = 30; x < 170; x++) {
      const i = y * W + x;
      body[i] = 255;
      if (y >= 200) { lab[i] = L.lower_clothing; img.set([...lower(x, y), 255], i * 4); continue; }
      // The old top down to the lower clothing; the new garment ends at y 150, the old top's place below it filled with skin.
      lab[i] = L.torso_clothing; old[i] = 255; img.set([30, 30, 50, 255], i * 4);
      if (y < 150) panel.data[i * 4 + 3] = 255;
      else skin[i] = 255;
    }
  }
  const [le, re] = arms.elbows, [lw, rw] = arms.wrists;
  const model = {
    width: W, height: H, image: { width: W, height: H, data: img }, parsing: { width: W, height: H, data: lab },
    pose: { keypoints: { left_hip: kp({ x: 130, y: 220 }), right_hip: kp({ x: 70, y: 220 }), left_elbow: kp(le), right_elbow: kp(re), left_wrist: kp(lw), right_wrist: kp(rw) } },
    measurements: { torso_length: 180, shoulder_width: 100 },
  } as unknown as ModelAnalysis;
  const layers = { old_clothing: { width: W, height: H, data: old }, body: { width: W, height: H, data: body }, filled_skin: { width: W, height: H, data: skin } } as unknown as ModelLayers;
  return { img, model, layers, panel };
}
