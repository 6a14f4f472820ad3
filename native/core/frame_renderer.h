// One-call CPU renderer used by the binding: conditioning → RGBA8 pixels, via a display list.
// One instance per worker thread: its display list and rasterizer scratch are reused between frames.
#pragma once
#include <cstdint>
#include "openpose.h"
#include "puppet.h"
#include "raster.h"

namespace persona {

// Which picture a frame source draws from the same pose.
enum class SourceKind : int { Puppet = 0, Control = 1 };

inline void buildFrame(SourceKind kind, const CharacterLook& look, const float* conditioning, const Framing& framing, DisplayList& out) {
  if (kind == SourceKind::Control) buildControl(look, conditioning, framing, out);
  else buildPuppet(look, conditioning, framing, out);
}

class FrameRenderer {
 public:
  void render(SourceKind kind, const CharacterLook& look, const float* conditioning, const Framing& framing, uint8_t* out) {
    buildFrame(kind, look, conditioning, framing, list_);
    raster_.draw(list_, framing.width, framing.height, out);
  }

 private:
  DisplayList list_;
  Rasterizer raster_;
};

}  // namespace persona
