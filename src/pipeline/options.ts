// The options a render accepts (DESIGN.md "precise local adjustments"), validated once at the edge.
import { z } from 'zod';

const point = z.object({ x: z.number().finite(), y: z.number().finite() });

export const backgroundSchema = z
  .union([
    z.literal('keep'),
    z.object({ colour: z.string().regex(/^#[0-9a-fA-F]{6}$/).describe('Plain background colour, #rrggbb.') }),
    z.object({
      image_key: z
        .string()
        .min(1)
        .describe('Storage key of a background image; the caller reads it and passes the pixels to the render (the pipeline never reads storage).'),
    }),
  ])
  .describe('What is behind the person: the photo as it is, a plain colour, or another image.');

export const renderOptionsSchema = z
  .object({
    offset: z
      .object({ x: z.number().min(-1).max(1).default(0), y: z.number().min(-1).max(1).default(0) })
      .default({ x: 0, y: 0 })
      .describe('Moves the whole garment, as a fraction of the model’s shoulder width (x right, y down in the image).'),
    scale: z.number().min(0.5).max(2).default(1).describe('Grows or shrinks the whole garment about the shoulder line’s centre.'),
    rotation: z.number().min(-45).max(45).default(0).describe('Turns the whole garment about the shoulder line’s centre, degrees, clockwise in the image.'),
    fit: z.enum(['slim', 'regular', 'loose']).default('regular').describe('Ease over the body: how much wider than the torso and arms the garment sits.'),
    length: z.number().min(0.5).max(2).default(1).describe('Multiplier of the garment’s own proportional length (shoulder to hem, or waist to hem).'),
    meet_lower: z
      .boolean()
      .default(true)
      .describe('At length 1, a top that ends a little above the lower clothing is lengthened to meet it (by at most 20% of its length, stretched over the plain fabric above the hem, not the print), so no strip of the photo’s top shows under it; false keeps the garment’s own length.'),
    sleeve_length: z.number().min(0).max(2).default(1).describe('Multiplier of the garment’s proportional sleeve length; 0 hides the sleeves.'),
    tuck: z.boolean().default(false).describe('Top tucked into the lower garment: the hem sits at the waistband, hidden under the lower clothing.'),
    layering: z
      .enum(['auto', 'off'])
      .default('auto')
      .describe('auto: when the photo’s top has sleeves and a large area of skin would have to be invented with no bare arm or hands to draw it from (short sleeves or a low neckline over it, or a cropped top over a longer one), the photo’s top stays under the garment, a layered look, and the render asks for review; a model whose arms show their own skin, or whose hands show out of long sleeves, wears a garment that reaches the lower clothing alone; off: always synthesise skin there.'),
    shading: z.number().min(0).max(1).default(0.8).describe('Strength of the scene’s folds and light on the garment; 0 = the garment’s own flat colours.'),
    enhancement: z.number().min(0).max(1).default(0).describe('Portrait enhancement level applied at the end of the render; 0 = off.'),
    background: backgroundSchema.default('keep'),
    landmarks: z
      .record(z.string(), point)
      .default({})
      .describe('Moved garment points: name → {x, y} in garment image pixels (replaces what garment analysis found).'),
    targets: z
      .record(z.string(), point)
      .default({})
      .describe('Moved body targets: landmark name → {x, y} in model image pixels, where that garment point must land.'),
  })
  .describe('Options of one render of a garment on a model.');

export type RenderOptions = z.infer<typeof renderOptionsSchema>;
export type RenderOptionsInput = z.input<typeof renderOptionsSchema>;

/** Validates and fills defaults (throws a ZodError on bad input; the API maps it to a 400). */
export function parseRenderOptions(input: unknown = {}): RenderOptions {
  return renderOptionsSchema.parse(input ?? {});
}
