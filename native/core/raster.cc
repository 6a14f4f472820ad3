#include "raster.h"
#include <algorithm>
#include <cmath>
#include <cstring>

namespace persona {

namespace {

// Light from the upper left, in front: screen y grows downward.
constexpr float kLx = -0.45f, kLy = -0.55f, kLz = 0.70f;
// How far outside a shape a pixel centre may sit and still be partly covered (AA ramp + slack).
constexpr float kMargin = 1.0f;

// A primitive with everything that is constant per frame worked out once, not per pixel.
struct Prepared {
  const Primitive* q;
  int x0, y0, x1, y1;  // clipped pixel bounds
  // Capsule.
  float bax, bay, invLen2, dr, reach;
  // Ellipse: rotation, reciprocal radii, and the row-span quadratic A·dx² + (B·dy)·dx + (C·dy² − 1).
  float cosA, sinA, irx, iry, irx2, iry2, minR, spanA, spanB, spanC;
  // Polygon.
  const float* pts;
  float gx, gy, invExtent;
};

inline float smoothstep(float e0, float e1, float x) {
  const float t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3 - 2 * t);
}

inline float capsuleDistance(const Prepared& p, float px, float py, float& nx, float& ny) {
  const Primitive& q = *p.q;
  const float h = clamp01(((px - q.ax) * p.bax + (py - q.ay) * p.bay) * p.invLen2);
  const float r = q.ra + p.dr * h;
  const float dx = px - (q.ax + p.bax * h), dy = py - (q.ay + p.bay * h);
  const float d = std::sqrt(dx * dx + dy * dy);
  const float ir = r > 0 ? 1.f / r : 0.f;
  nx = dx * ir;
  ny = dy * ir;
  return d - r;
}

inline float ellipseDistance(const Prepared& p, float px, float py, float& nx, float& ny) {
  const Primitive& q = *p.q;
  const float dx = px - q.cx, dy = py - q.cy;
  const float lx = dx * p.cosA + dy * p.sinA, ly = -dx * p.sinA + dy * p.cosA;
  const float ux = lx * p.irx, uy = ly * p.iry;
  const float k0 = std::sqrt(ux * ux + uy * uy);
  const float gx = lx * p.irx2, gy = ly * p.iry2;
  const float k1 = std::sqrt(gx * gx + gy * gy);
  nx = ux * p.cosA - uy * p.sinA;
  ny = ux * p.sinA + uy * p.cosA;
  if (k1 < 1e-6f) return -p.minR;
  return k0 * (k0 - 1.f) / k1;
}

// Signed distance to a simple polygon (negative inside), even-odd inside test.
inline float polygonDistance(const Prepared& p, float px, float py, float& nx, float& ny) {
  const float* v = p.pts;
  const int n = p.q->count;
  float best = 1e30f;
  bool inside = false;
  for (int i = 0, j = n - 1; i < n; j = i++) {
    const float xi = v[i * 2], yi = v[i * 2 + 1], xj = v[j * 2], yj = v[j * 2 + 1];
    const float ex = xj - xi, ey = yj - yi, wx = px - xi, wy = py - yi;
    const float len2 = ex * ex + ey * ey;
    const float t = len2 > 1e-9f ? clamp01((wx * ex + wy * ey) / len2) : 0.f;
    const float bx = wx - ex * t, by = wy - ey * t;
    best = std::min(best, bx * bx + by * by);
    if ((yi > py) != (yj > py) && px < xi + (py - yi) * ex / ey) inside = !inside;
  }
  nx = (px - p.gx) * p.invExtent;
  ny = (py - p.gy) * p.invExtent;
  const float d = std::sqrt(best);
  return inside ? -d : d;
}

Prepared prepare(const Primitive& q, const DisplayList& list) {
  Prepared p{};
  p.q = &q;
  float fx0 = 0, fy0 = 0, fx1 = 0, fy1 = 0;
  if (q.shape == Shape::Capsule) {
    p.bax = q.bx - q.ax;
    p.bay = q.by - q.ay;
    const float len2 = p.bax * p.bax + p.bay * p.bay;
    p.invLen2 = len2 > 1e-6f ? 1.f / len2 : 0.f;
    p.dr = q.rb - q.ra;
    p.reach = std::max(q.ra, q.rb) + kMargin;
    fx0 = std::min(q.ax, q.bx) - p.reach; fx1 = std::max(q.ax, q.bx) + p.reach;
    fy0 = std::min(q.ay, q.by) - p.reach; fy1 = std::max(q.ay, q.by) + p.reach;
  } else if (q.shape == Shape::Ellipse) {
    p.cosA = std::cos(q.angle);
    p.sinA = std::sin(q.angle);
    p.irx = 1.f / q.rx;
    p.iry = 1.f / q.ry;
    p.irx2 = p.irx * p.irx;
    p.iry2 = p.iry * p.iry;
    p.minR = std::min(q.rx, q.ry);
    const float a = q.rx + kMargin, b = q.ry + kMargin;
    const float ia2 = 1.f / (a * a), ib2 = 1.f / (b * b);
    const float c = p.cosA, s = p.sinA;
    p.spanA = c * c * ia2 + s * s * ib2;
    p.spanB = 2.f * c * s * (ia2 - ib2);
    p.spanC = s * s * ia2 + c * c * ib2;
    const float hw = std::sqrt(a * a * c * c + b * b * s * s), hh = std::sqrt(a * a * s * s + b * b * c * c);
    fx0 = q.cx - hw; fx1 = q.cx + hw; fy0 = q.cy - hh; fy1 = q.cy + hh;
  } else {
    p.pts = list.points().data() + q.first * 2;
    fx0 = fy0 = 1e30f;
    fx1 = fy1 = -1e30f;
    float sx = 0, sy = 0;
    for (int i = 0; i < q.count; ++i) {
      const float x = p.pts[i * 2], y = p.pts[i * 2 + 1];
      fx0 = std::min(fx0, x); fx1 = std::max(fx1, x); fy0 = std::min(fy0, y); fy1 = std::max(fy1, y);
      sx += x; sy += y;
    }
    p.gx = sx / q.count;
    p.gy = sy / q.count;
    const float extent = 0.5f * std::max(fx1 - fx0, fy1 - fy0);
    p.invExtent = extent > 0 ? 1.f / extent : 0.f;
    fx0 -= kMargin; fx1 += kMargin; fy0 -= kMargin; fy1 += kMargin;
  }
  p.x0 = static_cast<int>(std::floor(fx0));
  p.y0 = static_cast<int>(std::floor(fy0));
  p.x1 = static_cast<int>(std::ceil(fx1));
  p.y1 = static_cast<int>(std::ceil(fy1));
  return p;
}

// The columns of row `py` (a pixel-centre y) that the shape can touch; false when none.
bool rowSpan(const Prepared& p, float py, float& xs, float& xe) {
  const Primitive& q = *p.q;
  if (q.shape == Shape::Capsule) {
    // The segment's part within `reach` of this row, widened by `reach` on both sides.
    float t0 = 0, t1 = 1;
    if (std::fabs(p.bay) > 1e-6f) {
      t0 = (py - p.reach - q.ay) / p.bay;
      t1 = (py + p.reach - q.ay) / p.bay;
      if (t0 > t1) std::swap(t0, t1);
      t0 = std::max(t0, 0.f);
      t1 = std::min(t1, 1.f);
      if (t0 > t1) return false;
    } else if (std::fabs(py - q.ay) > p.reach) {
      return false;
    }
    const float xa = q.ax + p.bax * t0, xb = q.ax + p.bax * t1;
    xs = std::min(xa, xb) - p.reach;
    xe = std::max(xa, xb) + p.reach;
    return true;
  }
  if (q.shape == Shape::Ellipse) {
    const float dy = py - q.cy;
    const float b = p.spanB * dy, c = p.spanC * dy * dy - 1.f;
    const float disc = b * b - 4.f * p.spanA * c;
    if (disc < 0) return false;
    const float root = std::sqrt(disc), inv = 0.5f / p.spanA;
    xs = q.cx + (-b - root) * inv;
    xe = q.cx + (-b + root) * inv;
    return true;
  }
  // Polygon: the edges clipped to a band around the row bound every pixel the shape reaches.
  const float lo = py - kMargin, hi = py + kMargin;
  xs = 1e30f;
  xe = -1e30f;
  const float* v = p.pts;
  for (int i = 0, j = q.count - 1; i < q.count; j = i++) {
    float x0 = v[j * 2], y0 = v[j * 2 + 1], x1 = v[i * 2], y1 = v[i * 2 + 1];
    if (y0 > y1) { std::swap(x0, x1); std::swap(y0, y1); }
    if (y1 < lo || y0 > hi) continue;
    const float dy = y1 - y0;
    const float ta = dy > 1e-6f ? clamp01((lo - y0) / dy) : 0.f, tb = dy > 1e-6f ? clamp01((hi - y0) / dy) : 1.f;
    const float xa = x0 + (x1 - x0) * ta, xb = x0 + (x1 - x0) * tb;
    xs = std::min(xs, std::min(xa, xb));
    xe = std::max(xe, std::max(xa, xb));
  }
  if (xs > xe) return false;
  xs -= kMargin;
  xe += kMargin;
  return true;
}

template <Shape S>
inline float distanceTo(const Prepared& p, float px, float py, float& nx, float& ny) {
  if constexpr (S == Shape::Capsule) return capsuleDistance(p, px, py, nx, ny);
  else if constexpr (S == Shape::Ellipse) return ellipseDistance(p, px, py, nx, ny);
  else return polygonDistance(p, px, py, nx, ny);
}

}  // namespace

void Rasterizer::touch(int y, int x0, int x1) {
  float* row = accum_.data() + static_cast<size_t>(y) * width_ * 4;
  int& lo = rowLo_[y];
  int& hi = rowHi_[y];
  if (lo > hi) {
    std::memset(row + x0 * 4, 0, sizeof(float) * 4 * (x1 - x0 + 1));
    lo = x0;
    hi = x1;
    return;
  }
  if (x0 < lo) {
    std::memset(row + x0 * 4, 0, sizeof(float) * 4 * (lo - x0));
    lo = x0;
  }
  if (x1 > hi) {
    std::memset(row + (hi + 1) * 4, 0, sizeof(float) * 4 * (x1 - hi));
    hi = x1;
  }
}

namespace {

template <Shape S>
void fillRow(const Prepared& p, float py, int xs, int xe, float* row) {
  const Paint& paint = p.q->paint;
  const bool shaded = paint.shaded, outlined = paint.outlineWidth > 0;
  for (int x = xs; x <= xe; ++x) {
    const float px = x + 0.5f;
    float nx, ny;
    const float d = distanceTo<S>(p, px, py, nx, ny);
    if (d >= 0.5f) continue;
    const float coverage = d <= -0.5f ? 1.f : 0.5f - d;
    Rgba c = paint.fill;
    if (shaded) {
      const float n2 = std::min(1.f, nx * nx + ny * ny);
      const float lambert = nx * kLx + ny * kLy + std::sqrt(1.f - n2) * kLz;
      c = mix(paint.shadow, paint.fill, smoothstep(0.05f, 0.2f, lambert));
    }
    if (outlined) {
      const float k = d + paint.outlineWidth + 0.5f;
      if (k > 0) c = mix(c, paint.outline, clamp01(k));
    }
    const float a = c.a * coverage;
    float* dst = row + x * 4;
    if (a >= 1.f) {
      dst[0] = c.r; dst[1] = c.g; dst[2] = c.b; dst[3] = 1.f;
      continue;
    }
    const float keep = 1.f - a;
    dst[0] = c.r * a + dst[0] * keep;
    dst[1] = c.g * a + dst[1] * keep;
    dst[2] = c.b * a + dst[2] * keep;
    dst[3] = a + dst[3] * keep;
  }
}

}  // namespace

void Rasterizer::draw(const DisplayList& list, int width, int height, uint8_t* out) {
  width_ = width;
  const size_t pixels = static_cast<size_t>(width) * height;
  if (accum_.size() < pixels * 4) accum_.resize(pixels * 4);
  rowLo_.assign(height, 1);
  rowHi_.assign(height, 0);
  for (const Primitive& q : list.items()) {
    if (q.paint.fill.a <= 0 && q.paint.outlineWidth <= 0) continue;
    const Prepared p = prepare(q, list);
    const int y0 = std::max(0, p.y0), y1 = std::min(height - 1, p.y1);
    for (int y = y0; y <= y1; ++y) {
      const float py = y + 0.5f;
      float fxs, fxe;
      if (!rowSpan(p, py, fxs, fxe)) continue;
      const int xs = std::max({0, p.x0, static_cast<int>(std::floor(fxs))});
      const int xe = std::min({width - 1, p.x1, static_cast<int>(std::ceil(fxe))});
      if (xs > xe) continue;
      touch(y, xs, xe);
      float* row = accum_.data() + static_cast<size_t>(y) * width * 4;
      switch (q.shape) {
        case Shape::Capsule: fillRow<Shape::Capsule>(p, py, xs, xe, row); break;
        case Shape::Ellipse: fillRow<Shape::Ellipse>(p, py, xs, xe, row); break;
        case Shape::Polygon: fillRow<Shape::Polygon>(p, py, xs, xe, row); break;
      }
    }
  }
  // Straight alpha out; rows and columns nothing touched are written as transparent without reading.
  for (int y = 0; y < height; ++y) {
    uint8_t* o = out + static_cast<size_t>(y) * width * 4;
    const int lo = rowLo_[y], hi = rowHi_[y];
    if (lo > hi) {
      std::memset(o, 0, static_cast<size_t>(width) * 4);
      continue;
    }
    std::memset(o, 0, static_cast<size_t>(lo) * 4);
    std::memset(o + (hi + 1) * 4, 0, static_cast<size_t>(width - 1 - hi) * 4);
    const float* s = accum_.data() + static_cast<size_t>(y) * width * 4;
    for (int x = lo; x <= hi; ++x) {
      const float* px = s + x * 4;
      uint8_t* dst = o + x * 4;
      const float a = px[3];
      if (a <= 1e-5f) {
        std::memset(dst, 0, 4);
        continue;
      }
      const float inv = 1.f / a;
      dst[0] = static_cast<uint8_t>(clamp01(px[0] * inv) * 255.f + 0.5f);
      dst[1] = static_cast<uint8_t>(clamp01(px[1] * inv) * 255.f + 0.5f);
      dst[2] = static_cast<uint8_t>(clamp01(px[2] * inv) * 255.f + 0.5f);
      dst[3] = static_cast<uint8_t>(clamp01(a) * 255.f + 0.5f);
    }
  }
}

}  // namespace persona
