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
  // Grows row y's touched span to [x0, x1], zeroing the accumulation pixels it newly covers.
  void touch(int y, int x0, int x1);

  int width_ = 0;
  std::vector<float> accum_;  // premultiplied RGBA; only the touched span of each row is valid
  std::vector<int> rowLo_, rowHi_;  // touched span per row; lo > hi: row untouched this frame
};

}  // namespace persona
