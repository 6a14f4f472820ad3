/** How a character looks to the frame sources: proportions (metres) and palette ([r, g, b], 0..255). */
import { z } from 'zod';

const rgb = z.tuple([z.number().int().min(0).max(255), z.number().int().min(0).max(255), z.number().int().min(0).max(255)]);
const metres = z.number().positive().max(2);

export const LookSchema = z.object({
  headRadius: metres.optional(),
  neckLength: metres.optional(),
  torsoLength: metres.optional(),
  shoulderWidth: metres.optional(),
  hipWidth: metres.optional(),
  upperArm: metres.optional(),
  forearm: metres.optional(),
  thigh: metres.optional(),
  shin: metres.optional(),
  limbRadius: metres.optional(),
  skin: rgb.optional(),
  hair: rgb.optional(),
  eyes: rgb.optional(),
  top: rgb.optional(),
  bottom: rgb.optional(),
  shoes: rgb.optional(),
  outline: rgb.optional(),
  hairStyle: z.enum(['bob', 'ponytail', 'short']).optional(),
});

export type Look = z.infer<typeof LookSchema>;
