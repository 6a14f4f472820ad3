// The puppet frame source's first stage: a posed character → a depth-sorted display list.
#pragma once
#include "camera.h"
#include "character.h"
#include "display_list.h"
#include "skeleton.h"

namespace persona {

// Appends the character's parts to `out` (cleared first) and sorts them back to front.
void buildPuppet(const CharacterLook& look, const float* conditioning, const Framing& framing, DisplayList& out);

}  // namespace persona
