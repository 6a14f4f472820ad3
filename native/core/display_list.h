// The puppet's first stage writes a display list; the rasterizer turns it into pixels.
// Coordinates are in pixels, y down. Shapes are drawn back to front by depth (larger z is nearer).
#pragma once
#include <vector>
#include "math3.h"

namespace persona {

enum class Shape : unsigned char { Capsule, Ellipse, Polygon };

struct Paint {
  Rgba fill;
  Rgba shadow;           // cel-shadow colour on the side away from the light
  Rgba outline;
  float outlineWidth = 0;  // pixels
  bool shaded = true;      // false: flat fill (eyes, mouth, highlights)
};

struct Primitive {
  Shape shape = Shape::Ellipse;
  // Capsule: segment a→b with radius ra at a and rb at b (a tapered limb).
  float ax = 0, ay = 0, bx = 0, by = 0, ra = 0, rb = 0;
  // Ellipse: centre, radii and rotation (radians).
  float cx = 0, cy = 0, rx = 0, ry = 0, angle = 0;
  // Polygon: `count` points starting at `first` in DisplayList::points() (x, y pairs), any winding.
  int first = 0, count = 0;
  Paint paint;
  float depth = 0;
  int order = 0;  // insertion order breaks depth ties so output is deterministic
};

class DisplayList {
 public:
  void clear() { items_.clear(); points_.clear(); }
  void capsule(float ax, float ay, float bx, float by, float ra, float rb, const Paint& p, float depth);
  void ellipse(float cx, float cy, float rx, float ry, float angle, const Paint& p, float depth);
  // A closed, simple polygon; `xy` holds `count` x,y pairs.
  void polygon(const float* xy, int count, const Paint& p, float depth);
  // Sorts back to front; call once before rasterizing.
  void sortByDepth();
  const std::vector<Primitive>& items() const { return items_; }
  const std::vector<float>& points() const { return points_; }

 private:
  std::vector<Primitive> items_;
  std::vector<float> points_;
};

}  // namespace persona
