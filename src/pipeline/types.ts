// Shared pixel and analysis types of the pipeline. Pure data: typed arrays and numbers.

/** 8-bit RGBA pixels, row-major, 4 bytes per pixel, sRGB, straight (not premultiplied) alpha. */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array;
}

/** One channel, 0..255 (0 = outside, 255 = inside), row-major. */
export interface Mask {
  width: number;
  height: number;
  data: Uint8Array;
}

export interface Point {
  x: number;
  y: number;
}

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** A point found by analysis with how much to trust it (0..1). */
export interface ScoredPoint extends Point {
  score: number;
}

/** The 17 body keypoints (COCO order), in image pixels of the working image. */
export const KEYPOINT_NAMES = [
  'nose',
  'left_eye',
  'right_eye',
  'left_ear',
  'right_ear',
  'left_shoulder',
  'right_shoulder',
  'left_elbow',
  'right_elbow',
  'left_wrist',
  'right_wrist',
  'left_hip',
  'right_hip',
  'left_knee',
  'right_knee',
  'left_ankle',
  'right_ankle',
] as const;
export type KeypointName = (typeof KEYPOINT_NAMES)[number];

export interface Pose {
  /** Which network produced it. */
  network: string;
  keypoints: Record<KeypointName, ScoredPoint>;
  /** Mean score of the keypoints that matter for try-on (shoulders, hips, elbows, wrists). */
  score: number;
}

/** Labels of the body parsing label map. Values are stable: they are stored. */
export const PARSE_LABELS = {
  background: 0,
  hair: 1,
  face: 2,
  neck: 3,
  torso_clothing: 4,
  left_arm: 5,
  right_arm: 6,
  hands: 7,
  legs: 8,
  lower_clothing: 9,
  /** Bare skin of the torso that is not neck: décolleté, midriff, bare shoulders. */
  torso_skin: 10,
} as const;
export type ParseLabel = keyof typeof PARSE_LABELS;

export interface LabelMap {
  width: number;
  height: number;
  /** One PARSE_LABELS value per pixel. */
  data: Uint8Array;
}

export interface Face {
  box: Box;
  /** 468 face-mesh points in image pixels; empty when only the detector ran. */
  landmarks: Point[];
  score: number;
}

export interface BodyMeasurements {
  /** Shoulder line, from the person's left shoulder to their right, on the mask's outline. */
  shoulder_left: Point;
  shoulder_right: Point;
  shoulder_width: number;
  /** Torso widths across the mask (pixels) and the heights (y) they were measured at. */
  chest: { y: number; width: number; left: number; right: number };
  waist: { y: number; width: number; left: number; right: number };
  hip: { y: number; width: number; left: number; right: number };
  /** Arm widths measured across each limb segment, pixels; null when the arm is not visible. */
  arm_width: {
    left_upper: number | null;
    left_lower: number | null;
    right_upper: number | null;
    right_lower: number | null;
  };
  torso_length: number;
}

export interface Verdict {
  suitable: boolean;
  /** 0..1; 1 = a frontal photo with arms clear of the torso and a short base layer. */
  score: number;
  /** Why it is not fully suitable, for a person to read; empty when score is 1. */
  reasons: string[];
  frontal: boolean;
  arms_clear: boolean;
  base_layer_short: boolean;
}

/** Everything model preparation derives from one model photo. */
export interface ModelAnalysis {
  width: number;
  height: number;
  /** The working image (EXIF-oriented, sRGB, capped size). */
  image: RgbaImage;
  person_box: Box;
  pose: Pose;
  /** Person alpha at working resolution. */
  mask: Mask;
  face: Face | null;
  parsing: LabelMap;
  arm_in_front: { left: boolean; right: boolean };
  measurements: BodyMeasurements;
  suitability: Verdict;
  timings_ms: Record<string, number>;
}

export type GarmentCategory = 'top' | 'bottom' | 'dress';

/** Landmark names by category. Left/right are the wearer's (as on a person facing the camera). */
export const GARMENT_LANDMARKS = {
  top: [
    'neck_left',
    'neck_right',
    'neck_front',
    'shoulder_left',
    'shoulder_right',
    'armpit_left',
    'armpit_right',
    'sleeve_left_outer',
    'sleeve_left_inner',
    'sleeve_right_outer',
    'sleeve_right_inner',
    'hem_left',
    'hem_right',
  ],
  bottom: ['waist_left', 'waist_right', 'crotch', 'hem_left_outer', 'hem_left_inner', 'hem_right_inner', 'hem_right_outer'],
  dress: ['neck_left', 'neck_right', 'shoulder_left', 'shoulder_right', 'armpit_left', 'armpit_right', 'waist_left', 'waist_right', 'hem_left', 'hem_right'],
} as const;

/** Labels of a garment's part map. */
export const GARMENT_PARTS = { none: 0, body: 1, sleeve_left: 2, sleeve_right: 3 } as const;

/** Everything garment preparation derives from one garment photo. */
export interface GarmentAnalysis {
  width: number;
  height: number;
  /** The garment cut out: RGBA with the mask as alpha. */
  image: RgbaImage;
  mask: Mask;
  cutout: { source: 'alpha' | 'background'; confidence: number; background: [number, number, number] | null };
  category: GarmentCategory;
  category_source: 'given' | 'inferred';
  category_confidence: number;
  /** Landmarks by name (see GARMENT_LANDMARKS) in garment image pixels. */
  landmarks: Record<string, ScoredPoint>;
  /** GARMENT_PARTS per pixel (body panel and sleeves for tops; body only otherwise). */
  parts: LabelMap;
  /** Inside of a ghost-mannequin photo: the back of the collar seen through the neck opening. */
  collar_back: Mask | null;
  timings_ms: Record<string, number>;
}

/**
 * Layers model preparation builds once per model photo so that a render only warps the garment
 * and composites it between them (DESIGN.md, model preparation step 7).
 */
export interface ModelLayers {
  /** The person with the clothing of the upper body removed and filled in from their own pixels. */
  agnostic: RgbaImage;
  /** The old upper-body clothing as it was in the photo (255 = old garment). */
  old_clothing: Mask;
  /** Pixels of old clothing synthesised as skin (inside the body outline). */
  filled_skin: Mask;
  /** Pixels of old clothing synthesised as background (outside the body outline). */
  filled_background: Mask;
  /** The body's expected outline under clothing (torso, arms, neck), from pose, mask and measurements. */
  body: Mask;
  /** What goes in front of any garment: arms and hands in front of the torso, hair over the shoulders. Alpha = coverage. */
  front: RgbaImage;
  /**
   * Arms and hands with soft alpha following the photo's edges, and the arms drawn where the old top
   * hid them, colours from the agnostic person: the render puts them in front of the body panel below
   * a sleeved garment's armpits (a sleeveless one's: the drawn part only; the bare arm everywhere).
   * Absent in layers prepared before it existed (the render then derives it from the labels).
   */
  arms?: RgbaImage;
  /**
   * Multiplicative luminance gain (1 = unchanged) carrying folds and light of the torso region, without
   * the old garment's print or colour blocks; defined over the whole image.
   */
  shading: { width: number; height: number; gain: Float32Array; source: 'clothing' | 'body-shape' };
  /** Mean colour temperature cue of the scene: the average white-balanced light colour, linear RGB gains. */
  light: [number, number, number];
  timings_ms: Record<string, number>;
}
