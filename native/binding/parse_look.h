// Reads a character's look (proportions, palette, hair style) from a JS object into a C++ struct.
#pragma once
#include <napi.h>
#include "../core/character.h"

namespace persona {

// Throws a JS TypeError naming the field when a value is missing or of the wrong type.
CharacterLook parseLook(const Napi::Object& source);

}  // namespace persona
