#include "display_list.h"
#include <algorithm>

namespace persona {

void DisplayList::capsule(float ax, float ay, float bx, float by, float ra, float rb, const Paint& p,
                          float depth) {
  Primitive q;
  q.shape = Shape::Capsule;
  q.ax = ax; q.ay = ay; q.bx = bx; q.by = by; q.ra = ra; q.rb = rb;
  q.paint = p;
  q.depth = depth;
  q.order = static_cast<int>(items_.size());
  items_.push_back(q);
}

void DisplayList::ellipse(float cx, float cy, float rx, float ry, float angle, const Paint& p, float depth) {
  Primitive q;
  q.shape = Shape::Ellipse;
  q.cx = cx; q.cy = cy; q.rx = rx; q.ry = ry; q.angle = angle;
  q.paint = p;
  q.depth = depth;
  q.order = static_cast<int>(items_.size());
  items_.push_back(q);
}

void DisplayList::polygon(const float* xy, int count, const Paint& p, float depth) {
  if (count < 3) return;
  Primitive q;
  q.shape = Shape::Polygon;
  q.first = static_cast<int>(points_.size() / 2);
  q.count = count;
  points_.insert(points_.end(), xy, xy + count * 2);
  q.paint = p;
  q.depth = depth;
  q.order = static_cast<int>(items_.size());
  items_.push_back(q);
}

void DisplayList::sortByDepth() {
  std::stable_sort(items_.begin(), items_.end(), [](const Primitive& a, const Primitive& b) {
    return a.depth != b.depth ? a.depth < b.depth : a.order < b.order;
  });
}

}  // namespace persona
