// Decode limits from the config's settings (the pipeline takes plain numbers, not the config).
import type { DecodeLimits } from './image.js';

export function decodeLimits(cfg: { WORKING_MAX_EDGE: number; MAX_INPUT_PIXELS: number; MIN_INPUT_EDGE: number }): DecodeLimits {
  return { maxEdge: cfg.WORKING_MAX_EDGE, maxPixels: cfg.MAX_INPUT_PIXELS, minEdge: cfg.MIN_INPUT_EDGE };
}
