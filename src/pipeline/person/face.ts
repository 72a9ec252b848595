// Face: BlazeFace finds it near the head keypoints, FaceMesh gives its 468 landmarks.
import type { NetworkRegistry } from '../../inference/registry.js';
import type { Box, Face, Point, Pose, RgbaImage } from '../types.js';
import { cropToInput, squareAround } from './crop.js';
import { runNetwork } from './net-run.js';

const DET_SIZE = 256;
const MESH_SIZE = 192;
const MIN_FACE_SCORE = 0.5;

/** BlazeFace anchor centres (input pixels): 16×16 cells × 2 then 8×8 cells × 6, as the network was trained. */
const ANCHORS: Float32Array = (() => {
  const a: number[] = [];
  for (const [stride, per] of [[16, 2], [32, 6]] as const) {
    const cells = DET_SIZE / stride;
    for (let y = 0; y < cells; y++) for (let x = 0; x < cells; x++) for (let n = 0; n < per; n++) a.push(stride * (x + 0.5), stride * (y + 0.5));
  }
  return Float32Array.from(a);
})();

/** Where to look for the face: a square around the confident head keypoints, or null. */
export function headRegion(pose: Pose): Box | null {
  const k = pose.keypoints;
  const head = [k.nose, k.left_eye, k.right_eye, k.left_ear, k.right_ear].filter((p) => p.score >= 0.3);
  if (head.length < 2) return null;
  const cx = head.reduce((s, p) => s + p.x, 0) / head.length;
  const cy = head.reduce((s, p) => s + p.y, 0) / head.length;
  const spread = Math.max(...head.map((p) => Math.hypot(p.x - cx, p.y - cy)));
  const sh = Math.hypot(k.left_shoulder.x - k.right_shoulder.x, k.left_shoulder.y - k.right_shoulder.y);
  const side = Math.max(spread * 6, sh * 0.9, 48);
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/** Finds the face in the head region and fits the mesh; null when there is no face there. */
export async function analyzeFace(img: RgbaImage, pose: Pose, nets: NetworkRegistry): Promise<Face | null> {
  const region = headRegion(pose);
  if (!region) return null;
  const det = await detectFace(img, region, nets);
  if (!det) return null;
  const meshCrop = squareAround(det, 1.5);
  const outs = await runNetwork(nets, 'facemesh', cropToInput(img, meshCrop, MESH_SIZE, 'unit'), MESH_SIZE);
  const coords = outs.find((o) => o.data.length === 1404);
  const conf = outs.find((o) => o.data.length === 1);
  if (!coords) throw new Error('facemesh: no [1,1404] landmark output');
  let score = conf ? conf.data[0]! : 1;
  if (score < 0 || score > 1) score = 1 / (1 + Math.exp(-score)); // some exports give a logit
  if (score < MIN_FACE_SCORE) return null;
  const s = meshCrop.width / MESH_SIZE;
  const landmarks: Point[] = [];
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let i = 0; i < 468; i++) {
    const x = meshCrop.x + coords.data[i * 3]! * s;
    const y = meshCrop.y + coords.data[i * 3 + 1]! * s;
    landmarks.push({ x, y });
    x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y);
  }
  return { box: { x: x0, y: y0, width: x1 - x0, height: y1 - y0 }, landmarks, score };
}

/** The most confident BlazeFace box in the region (image pixels), or null below MIN_FACE_SCORE. */
async function detectFace(img: RgbaImage, region: Box, nets: NetworkRegistry): Promise<Box | null> {
  const outs = await runNetwork(nets, 'blazeface', cropToInput(img, region, DET_SIZE, 'signed'), DET_SIZE);
  // Four outputs: scores and regressors for the 512 fine and the 384 coarse anchors; sizes tell them apart.
  const by = (n: number) => outs.find((o) => o.data.length === n);
  const s512 = by(512), s384 = by(384), r512 = by(512 * 16), r384 = by(384 * 16);
  if (!s512 || !s384 || !r512 || !r384) throw new Error('blazeface: unexpected outputs');
  let best = -Infinity;
  let bestBox: Box | null = null;
  for (let i = 0; i < 896; i++) {
    const fine = i < 512;
    const j = fine ? i : i - 512;
    const logit = (fine ? s512 : s384).data[j]!;
    if (logit <= best) continue;
    const r = (fine ? r512 : r384).data;
    const cx = ANCHORS[i * 2]! + r[j * 16]!;
    const cy = ANCHORS[i * 2 + 1]! + r[j * 16 + 1]!;
    const w = r[j * 16 + 2]!;
    const h = r[j * 16 + 3]!;
    best = logit;
    const s = region.width / DET_SIZE;
    bestBox = { x: region.x + (cx - w / 2) * s, y: region.y + (cy - h / 2) * s, width: w * s, height: h * s };
  }
  const score = 1 / (1 + Math.exp(-best));
  return score >= MIN_FACE_SCORE ? bestBox : null;
}
