// One-call CPU renderer used by the binding: conditioning → RGBA8 pixels, via the display list.
#pragma once
#include <cstdint>
#include "puppet.h"
#include "raster.h"

namespace persona {

class PuppetRenderer {
 public:
  void render(const CharacterLook& look, const float* conditioning, const Framing& framing, uint8_t* out) {
    buildPuppet(look, conditioning, framing, list_);
    raster_.draw(list_, framing.width, framing.height, out);
  }
  const DisplayList& lastDisplayList() const { return list_; }

 private:
  DisplayList list_;
  Rasterizer raster_;
};

}  // namespace persona
