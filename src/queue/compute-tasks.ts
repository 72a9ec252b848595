// Messages between the compute pool (main thread) and its worker threads: requests, results, errors.
import type { Config } from '../config.js';
import type { GarmentCategory } from '../pipeline/types.js';
import type { JsonObject } from '../db/schema.js';

/** What a thread needs to start: the process's config (networks, limits, cache size). */
export interface ThreadInit {
  config: Config;
}

export interface PrepareGarmentTask {
  kind: 'prepareGarment';
  bytes: Uint8Array;
  /** The caller's category; undefined = infer it from the photo. */
  category?: GarmentCategory;
  /** Cache the result under this key (the prepared blob's key), so the first render needs no load. */
  cacheKey?: string;
}

export interface PrepareModelTask {
  kind: 'prepareModel';
  bytes: Uint8Array;
  cacheKey?: string;
}

/** A prepared input by its blob key; bytes only when the thread said it does not hold it. */
export interface PreparedRef {
  key: string;
  bytes?: Uint8Array;
}

export interface RenderTask {
  kind: 'render';
  model: PreparedRef;
  garment: PreparedRef;
  /** Unvalidated render options (the thread parses them; bad options are bad input). */
  options: unknown;
  /** Encoded background image, when options.background names one. */
  background?: Uint8Array;
  /** JPEG quality of the result. */
  jpegQuality?: number;
}

export type ComputeTask = PrepareGarmentTask | PrepareModelTask | RenderTask;

export interface PreparedGarmentOutput {
  /** The encoded GarmentAnalysis (src/pipeline/serialize.ts), to store as the `prepared` blob. */
  blob: Uint8Array;
  /** What the record shows: category, confidences, landmarks, timings. */
  summary: JsonObject;
  category: GarmentCategory;
  width: number;
  height: number;
}

export interface PreparedModelOutput {
  blob: Uint8Array;
  /** Pose score, measurements, suitability verdict, timings. */
  summary: JsonObject;
  width: number;
  height: number;
}

export interface RenderOutput {
  /** The result, JPEG, sRGB, no metadata. */
  jpeg: Uint8Array;
  width: number;
  height: number;
  quality: JsonObject;
  needs_review: boolean;
  timings_ms: Record<string, number>;
  /** Which prepared inputs had to be decoded (false = both came from the thread's cache). */
  loaded: { model: boolean; garment: boolean };
}

export interface TaskOutputs {
  prepareGarment: PreparedGarmentOutput;
  prepareModel: PreparedModelOutput;
  render: RenderOutput;
}

/** An error as it crosses the thread boundary (class instances do not survive structured clone). */
export interface WireError {
  name: string;
  message: string;
  /** InputError's code: bad input, never retried. */
  code?: string;
  stack?: string;
}

export type ThreadMessage =
  | { id: number; type: 'done'; result: unknown; cached: string[] }
  | { id: number; type: 'error'; error: WireError; cached: string[] }
  /** The thread does not hold these prepared inputs: send their bytes. */
  | { id: number; type: 'miss'; keys: string[] }
  | { id: number; type: 'stage'; stage: string }
  | { type: 'ready' };

export type MainMessage = { id: number; task: ComputeTask };
