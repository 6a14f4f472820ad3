// A display list as plain JS objects, for tools that draw it with another rasterizer (bench, tests).
#pragma once
#include <napi.h>
#include "../core/display_list.h"

namespace persona {

// Back-to-front array of { shape: 'capsule'|'ellipse'|'polygon', geometry…, paint, depth }.
Napi::Array displayListToJs(Napi::Env env, const DisplayList& list);

}  // namespace persona
