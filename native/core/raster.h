// Display list → straight-alpha RGBA8 pixels, with analytic anti-aliasing from signed distances.
#pragma once
#include <cstdint>
#include <vector>
#include "display_list.h"

namespace persona {

class Rasterizer {
 public:
  // Writes width*height*4 bytes to `out`; pixels no shape touches stay fully transparent.
  void draw(const DisplayList& list, int width, int height, uint8_t* out);

 private:
  std::vector<float> accum_;  // premultiplied RGBA, reused between frames
};

}  // namespace persona
