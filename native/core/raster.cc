#include "raster.h"
#include <algorithm>
#include <cmath>
#include <cstring>

namespace persona {

namespace {

// Light from the upper left, in front: screen y grows downward.
constexpr float kLx = -0.45f, kLy = -0.55f, kLz = 0.70f;

float smoothstep(float e0, float e1, float x) {
  const float t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3 - 2 * t);
}

// Signed distance to a tapered capsule (round cone), plus the pseudo-normal's x,y for shading.
float capsuleDistance(const Primitive& q, float px, float py, float& nx, float& ny) {
  const float bax = q.bx - q.ax, bay = q.by - q.ay;
  const float len2 = bax * bax + bay * bay;
  float h = len2 > 1e-6f ? ((px - q.ax) * bax + (py - q.ay) * bay) / len2 : 0.f;
  h = clamp01(h);
  const float r = q.ra + (q.rb - q.ra) * h;
  const float dx = px - (q.ax + bax * h), dy = py - (q.ay + bay * h);
  const float d = std::sqrt(dx * dx + dy * dy);
  nx = r > 0 ? dx / r : 0;
  ny = r > 0 ? dy / r : 0;
  return d - r;
}

float ellipseDistance(const Primitive& q, float px, float py, float& nx, float& ny) {
  const float c = std::cos(q.angle), s = std::sin(q.angle);
  const float dx = px - q.cx, dy = py - q.cy;
  const float lx = dx * c + dy * s, ly = -dx * s + dy * c;  // into the ellipse's frame
  const float ux = lx / q.rx, uy = ly / q.ry;
  const float k0 = std::sqrt(ux * ux + uy * uy);
  const float gx = lx / (q.rx * q.rx), gy = ly / (q.ry * q.ry);
  const float k1 = std::sqrt(gx * gx + gy * gy);
  nx = ux * c - uy * s;  // back to screen axes
  ny = ux * s + uy * c;
  if (k1 < 1e-6f) return -std::min(q.rx, q.ry);
  return k0 * (k0 - 1.f) / k1;
}

void bounds(const Primitive& q, float& x0, float& y0, float& x1, float& y1) {
  if (q.shape == Shape::Capsule) {
    const float r = std::max(q.ra, q.rb);
    x0 = std::min(q.ax, q.bx) - r; x1 = std::max(q.ax, q.bx) + r;
    y0 = std::min(q.ay, q.by) - r; y1 = std::max(q.ay, q.by) + r;
  } else {
    const float r = std::max(q.rx, q.ry);
    x0 = q.cx - r; x1 = q.cx + r; y0 = q.cy - r; y1 = q.cy + r;
  }
}

}  // namespace

void Rasterizer::draw(const DisplayList& list, int width, int height, uint8_t* out) {
  accum_.assign(static_cast<size_t>(width) * height * 4, 0.f);
  for (const Primitive& q : list.items()) {
    float fx0, fy0, fx1, fy1;
    bounds(q, fx0, fy0, fx1, fy1);
    const int x0 = std::max(0, static_cast<int>(std::floor(fx0 - 1)));
    const int y0 = std::max(0, static_cast<int>(std::floor(fy0 - 1)));
    const int x1 = std::min(width - 1, static_cast<int>(std::ceil(fx1 + 1)));
    const int y1 = std::min(height - 1, static_cast<int>(std::ceil(fy1 + 1)));
    const Paint& p = q.paint;
    for (int y = y0; y <= y1; ++y) {
      float* row = accum_.data() + static_cast<size_t>(y) * width * 4;
      const float py = y + 0.5f;
      for (int x = x0; x <= x1; ++x) {
        const float px = x + 0.5f;
        float nx, ny;
        const float d = q.shape == Shape::Capsule ? capsuleDistance(q, px, py, nx, ny)
                                                  : ellipseDistance(q, px, py, nx, ny);
        if (d >= 0.5f) continue;
        const float coverage = clamp01(0.5f - d);
        Rgba c = p.fill;
        if (p.shaded) {
          const float n2 = std::min(1.f, nx * nx + ny * ny);
          const float lambert = nx * kLx + ny * kLy + std::sqrt(1.f - n2) * kLz;
          c = mix(p.shadow, p.fill, smoothstep(0.05f, 0.2f, lambert));
        }
        if (p.outlineWidth > 0) c = mix(c, p.outline, clamp01(d + p.outlineWidth + 0.5f));
        const float a = c.a * coverage;
        float* dst = row + x * 4;
        const float keep = 1.f - a;
        dst[0] = c.r * a + dst[0] * keep;
        dst[1] = c.g * a + dst[1] * keep;
        dst[2] = c.b * a + dst[2] * keep;
        dst[3] = a + dst[3] * keep;
      }
    }
  }
  const size_t n = static_cast<size_t>(width) * height;
  for (size_t i = 0; i < n; ++i) {
    const float* s = accum_.data() + i * 4;
    uint8_t* o = out + i * 4;
    const float a = s[3];
    if (a <= 1e-5f) { std::memset(o, 0, 4); continue; }
    const float inv = 1.f / a;  // back to straight alpha
    o[0] = static_cast<uint8_t>(clamp01(s[0] * inv) * 255.f + 0.5f);
    o[1] = static_cast<uint8_t>(clamp01(s[1] * inv) * 255.f + 0.5f);
    o[2] = static_cast<uint8_t>(clamp01(s[2] * inv) * 255.f + 0.5f);
    o[3] = static_cast<uint8_t>(clamp01(a) * 255.f + 0.5f);
  }
}

}  // namespace persona
