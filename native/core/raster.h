// Display list → straight-alpha RGBA8 pixels, with analytic anti-aliasing from signed distances.
#pragma once
#include <cstdint>
#include <vector>
#include "display_list.h"

namespace persona {

// A polygon edge with its per-pixel divisions done once: 1/|e|² for the closest point, dx/dy for the crossing test.
struct PolygonEdge {
  float x, y, ex, ey, invLen2, slope;  // slope = ex/ey (0 for horizontal edges, which never cross)
};

class Rasterizer {
 public:
  // Writes width*height*4 bytes to `out`; pixels no shape touches stay fully transparent.
  void draw(const DisplayList& list, int width, int height, uint8_t* out);

 private:
  // Grows row y's touched span to [x0, x1], zeroing the accumulation pixels it newly covers.
  void touch(int y, int x0, int x1);

  int width_ = 0;
  size_t plane_ = 0;  // floats per colour plane
  // Premultiplied colour in four planes (r, g, b, a) so a row's pixels sit side by side and the
  // per-pixel loops vectorize; only the touched span of each row is valid.
  std::vector<float> accum_;
  std::vector<int> rowLo_, rowHi_;  // touched span per row; lo > hi: row untouched this frame
  std::vector<PolygonEdge> edges_;  // the current polygon's edges, reused
  std::vector<float> distance_, normalX_, normalY_;  // one row of per-pixel geometry, reused
};

}  // namespace persona
