// The puppet frame source's first stage: a posed character → a depth-sorted display list.
#pragma once
#include "camera.h"
#include "character.h"
#include "display_list.h"
#include "skeleton.h"

namespace persona {

// Appends the character's parts to `out` (cleared first) and sorts them back to front.
void buildPuppet(const CharacterLook& look, const float* conditioning, const Framing& framing, DisplayList& out);

// How far the face drawn for `conditioning` parts its lips over the mouth's inside, in head radii: 0 shut
// (or the teeth on the lip of f/v); the inside shows from 0.02 and is opaque from 0.08 (what a viewer sees
// as an open mouth, whichever shape opens it).
float puppetMouthParted(const CharacterLook& look, const float* conditioning, const Framing& framing);

}  // namespace persona
