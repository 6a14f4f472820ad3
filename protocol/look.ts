/**
 * How a character looks to the frame sources: proportions (metres), palette ([r, g, b], 0..255),
 * hair, outfit and one accessory. Every field is optional; the defaults are a brown-haired
 * character in a blue T-shirt and navy trousers. native/binding/parse_look.cc reads the same fields.
 */
import { z } from 'zod';

const rgb = z
  .tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)])
  .describe('colour as [r, g, b], each 0..255');
const metres = z.number().positive().max(2);

export const HAIR_STYLES = ['bob', 'ponytail', 'short', 'long', 'spiky'] as const;
export const TOP_STYLES = ['tshirt', 'longsleeve', 'jacket'] as const;
export const BOTTOM_STYLES = ['trousers', 'shorts', 'skirt'] as const;
export const SHOE_STYLES = ['sneakers', 'boots'] as const;
export const ACCESSORIES = ['none', 'glasses', 'beanie', 'scarf', 'headband'] as const;

export const LookSchema = z.object({
  headRadius: metres.optional().describe('head radius (default 0.155)'),
  neckLength: metres.optional().describe('base of neck to head joint (default 0.05)'),
  torsoLength: metres.optional().describe('hips to base of neck (default 0.44)'),
  shoulderWidth: metres.optional().describe('between the shoulder joints (default 0.34)'),
  hipWidth: metres.optional().describe('between the hip joints (default 0.24)'),
  upperArm: metres.optional().describe('shoulder to elbow (default 0.25)'),
  forearm: metres.optional().describe('elbow to wrist (default 0.22)'),
  thigh: metres.optional().describe('hip to knee (default 0.36)'),
  shin: metres.optional().describe('knee to ankle (default 0.34)'),
  limbRadius: metres.optional().describe('base thickness of arms and legs (default 0.05)'),
  eyeSize: z.number().min(0.5).max(1.6).optional().describe('multiplies the eyes’ size (default 1)'),
  skin: rgb.optional().describe('skin (default [255, 219, 189])'),
  hair: rgb.optional().describe('hair and brows (default [89, 56, 38])'),
  eyes: rgb.optional().describe('iris (default [64, 115, 191])'),
  top: rgb.optional().describe('shirt or jacket (default [77, 140, 217])'),
  topAccent: rgb.optional().describe('collar, cuffs and the shirt under a jacket (default [242, 242, 242])'),
  bottom: rgb.optional().describe('trousers, shorts or skirt (default [51, 56, 89])'),
  shoes: rgb.optional().describe('shoes (default [89, 51, 31])'),
  accessoryColour: rgb.optional().describe('the accessory (default [217, 64, 77])'),
  outline: rgb.optional().describe('ink outline (default [41, 26, 26])'),
  hairStyle: z.enum(HAIR_STYLES).optional().describe('hair cut (default bob)'),
  topStyle: z.enum(TOP_STYLES).optional().describe('upper garment: short sleeves, long sleeves, or an open jacket over a shirt (default tshirt)'),
  bottomStyle: z.enum(BOTTOM_STYLES).optional().describe('lower garment (default trousers)'),
  shoeStyle: z.enum(SHOE_STYLES).optional().describe('footwear (default sneakers)'),
  accessory: z.enum(ACCESSORIES).optional().describe('one accessory (default none)'),
});

export type Look = z.infer<typeof LookSchema>;
