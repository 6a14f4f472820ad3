#include "raster.h"
#include <algorithm>
#include <cmath>
#include <cstring>

namespace persona {

namespace {

// The per-pixel loops are built twice, for AVX2 (8 lanes) and for baseline SSE2 (4 lanes), and the
// loader picks one for this CPU. Lanes are independent and FMA is not enabled, so both give the same bytes.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(PERSONA_NO_CPU_DISPATCH)
#define PERSONA_ROW_LOOP __attribute__((target_clones("avx2", "default")))
#else
#define PERSONA_ROW_LOOP
#endif

// Light from the upper left, in front: screen y grows downward.
constexpr float kLx = -0.45f, kLy = -0.55f, kLz = 0.70f;
// How far outside a shape a pixel centre may sit and still be partly covered (AA ramp + slack).
constexpr float kMargin = 1.0f;

using Edge = PolygonEdge;

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
  const Edge* edges;
  float gx, gy, invExtent;
};

// Pass 1 of a row: signed distance (pixels, negative inside) and the shading normal's x, y for
// the n pixels from x0. Branch-free loops over plain arrays, so the compiler vectorizes them.
PERSONA_ROW_LOOP void capsuleRow(const Prepared& p, float x0, float py, int n, float* __restrict d, float* __restrict nx, float* __restrict ny) {
  const Primitive& q = *p.q;
  const float wy = py - q.ay;
  for (int k = 0; k < n; ++k) {
    const float wx = x0 + k - q.ax;
    float h = (wx * p.bax + wy * p.bay) * p.invLen2;
    h = std::min(std::max(h, 0.f), 1.f);
    const float r = q.ra + p.dr * h;
    const float dx = wx - p.bax * h, dy = wy - p.bay * h;
    const float ir = 1.f / std::max(r, 1e-6f);
    d[k] = std::sqrt(dx * dx + dy * dy) - r;
    nx[k] = dx * ir;
    ny[k] = dy * ir;
  }
}

PERSONA_ROW_LOOP void ellipseRow(const Prepared& p, float x0, float py, int n, float* __restrict d, float* __restrict nx, float* __restrict ny) {
  const Primitive& q = *p.q;
  const float dy = py - q.cy;
  const float lyFromY = dy * p.cosA, lxFromY = dy * p.sinA;
  for (int k = 0; k < n; ++k) {
    const float dx = x0 + k - q.cx;
    const float lx = dx * p.cosA + lxFromY, ly = -dx * p.sinA + lyFromY;
    const float ux = lx * p.irx, uy = ly * p.iry;
    const float k0 = std::sqrt(ux * ux + uy * uy);
    const float gx = lx * p.irx2, gy = ly * p.iry2;
    const float k1 = std::sqrt(gx * gx + gy * gy);
    // At the very centre the gradient vanishes: the point is simply deep inside.
    d[k] = k1 < 1e-6f ? -p.minR : k0 * (k0 - 1.f) / (k1 < 1e-6f ? 1.f : k1);
    nx[k] = ux * p.cosA - uy * p.sinA;
    ny[k] = ux * p.sinA + uy * p.cosA;
  }
}

// Distance to the nearest edge, edge by edge over the whole row; even-odd crossings say inside.
PERSONA_ROW_LOOP void polygonRow(const Prepared& p, float x0, float py, int n, float* __restrict d, float* __restrict nx, float* __restrict ny) {
  for (int k = 0; k < n; ++k) {
    d[k] = 1e30f;
    nx[k] = 0.f;  // crossing parity, as 0/1, until the end
  }
  for (int i = 0; i < p.q->count; ++i) {
    const PolygonEdge& e = p.edges[i];
    const float wy = py - e.y;
    // Pixels left of where the edge crosses this row flip parity; an edge that misses the row flips none.
    const bool spans = (e.y > py) != (e.y + e.ey > py);
    const float crossX = spans ? e.x + wy * e.slope : -1e30f;
    for (int k = 0; k < n; ++k) {
      const float px = x0 + k, wx = px - e.x;
      float t = (wx * e.ex + wy * e.ey) * e.invLen2;
      t = std::min(std::max(t, 0.f), 1.f);
      const float bx = wx - e.ex * t, by = wy - e.ey * t;
      const float dist2 = bx * bx + by * by;
      d[k] = std::min(d[k], dist2);
      nx[k] = px < crossX ? 1.f - nx[k] : nx[k];
    }
  }
  for (int k = 0; k < n; ++k) {
    const float dist = std::sqrt(d[k]);
    d[k] = nx[k] > 0.5f ? -dist : dist;
    nx[k] = (x0 + k - p.gx) * p.invExtent;
    ny[k] = (py - p.gy) * p.invExtent;
  }
}

Prepared prepare(const Primitive& q, const DisplayList& list, std::vector<Edge>& edges) {
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
    edges.resize(q.count);
    for (int i = 0, j = q.count - 1; i < q.count; j = i++) {
      Edge& e = edges[i];
      e.x = p.pts[i * 2];
      e.y = p.pts[i * 2 + 1];
      e.ex = p.pts[j * 2] - e.x;
      e.ey = p.pts[j * 2 + 1] - e.y;
      const float len2 = e.ex * e.ex + e.ey * e.ey;
      e.invLen2 = len2 > 1e-9f ? 1.f / len2 : 0.f;
      e.slope = e.ey != 0.f ? e.ex / e.ey : 0.f;
    }
    p.edges = edges.data();
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

// Pass 2 of a row: colour (cel shade, outline), coverage, and "over" into the premultiplied planes.
template <bool Shaded, bool Outlined>
PERSONA_ROW_LOOP void blendRow(const Paint& paint, int n, const float* __restrict d, const float* __restrict nx, const float* __restrict ny,
              float* __restrict r, float* __restrict g, float* __restrict b, float* __restrict a) {
  const Rgba fill = paint.fill, shadow = paint.shadow, ink = paint.outline;
  const float inkReach = paint.outlineWidth + 0.5f;
  constexpr float kShadeFrom = 0.05f, kShadeScale = 1.f / 0.15f;  // smoothstep(0.05, 0.2, lambert)
  for (int k = 0; k < n; ++k) {
    float coverage = 0.5f - d[k];
    coverage = std::min(std::max(coverage, 0.f), 1.f);
    float cr = fill.r, cg = fill.g, cb = fill.b, ca = fill.a;
    if constexpr (Shaded) {
      float n2 = nx[k] * nx[k] + ny[k] * ny[k];
      n2 = std::min(n2, 1.f);
      const float lambert = nx[k] * kLx + ny[k] * kLy + std::sqrt(1.f - n2) * kLz;
      float t = (lambert - kShadeFrom) * kShadeScale;
      t = std::min(std::max(t, 0.f), 1.f);
      const float lit = t * t * (3.f - 2.f * t);
      cr = shadow.r + (fill.r - shadow.r) * lit;
      cg = shadow.g + (fill.g - shadow.g) * lit;
      cb = shadow.b + (fill.b - shadow.b) * lit;
      ca = shadow.a + (fill.a - shadow.a) * lit;
    }
    if constexpr (Outlined) {
      float o = d[k] + inkReach;
      o = std::min(std::max(o, 0.f), 1.f);
      cr += (ink.r - cr) * o;
      cg += (ink.g - cg) * o;
      cb += (ink.b - cb) * o;
      ca += (ink.a - ca) * o;
    }
    const float alpha = ca * coverage, keep = 1.f - alpha;
    r[k] = cr * alpha + r[k] * keep;
    g[k] = cg * alpha + g[k] * keep;
    b[k] = cb * alpha + b[k] * keep;
    a[k] = alpha + a[k] * keep;
  }
}

// Premultiplied planes → straight-alpha RGBA8 for columns lo..hi. Branch-free so it vectorizes;
// nearly empty pixels come out fully transparent.
PERSONA_ROW_LOOP void toStraightRgba8(const float* __restrict r, const float* __restrict g, const float* __restrict b, const float* __restrict a,
                     int lo, int hi, uint8_t* __restrict out) {
  for (int x = lo; x <= hi; ++x) {
    const float alpha = a[x];
    const float inv = alpha > 1e-5f ? 1.f / std::max(alpha, 1e-5f) : 0.f;
    out[x * 4] = static_cast<uint8_t>(static_cast<int>(std::min(std::max(r[x] * inv, 0.f), 1.f) * 255.f + 0.5f));
    out[x * 4 + 1] = static_cast<uint8_t>(static_cast<int>(std::min(std::max(g[x] * inv, 0.f), 1.f) * 255.f + 0.5f));
    out[x * 4 + 2] = static_cast<uint8_t>(static_cast<int>(std::min(std::max(b[x] * inv, 0.f), 1.f) * 255.f + 0.5f));
    out[x * 4 + 3] = static_cast<uint8_t>(static_cast<int>(alpha > 1e-5f ? std::min(alpha, 1.f) * 255.f + 0.5f : 0.f));
  }
}

}  // namespace

void Rasterizer::touch(int y, int x0, int x1) {
  const size_t row = static_cast<size_t>(y) * width_;
  int& lo = rowLo_[y];
  int& hi = rowHi_[y];
  auto zero = [&](int from, int count) {
    for (int c = 0; c < 4; ++c) std::memset(accum_.data() + c * plane_ + row + from, 0, sizeof(float) * count);
  };
  if (lo > hi) {
    zero(x0, x1 - x0 + 1);
    lo = x0;
    hi = x1;
    return;
  }
  if (x0 < lo) {
    zero(x0, lo - x0);
    lo = x0;
  }
  if (x1 > hi) {
    zero(hi + 1, x1 - hi);
    hi = x1;
  }
}

void Rasterizer::draw(const DisplayList& list, int width, int height, uint8_t* out) {
  width_ = width;
  plane_ = static_cast<size_t>(width) * height;
  if (accum_.size() < plane_ * 4) accum_.resize(plane_ * 4);
  if (static_cast<int>(distance_.size()) < width + 2) {
    distance_.resize(width + 2);
    normalX_.resize(width + 2);
    normalY_.resize(width + 2);
  }
  rowLo_.assign(height, 1);
  rowHi_.assign(height, 0);
  float* d = distance_.data();
  float* nx = normalX_.data();
  float* ny = normalY_.data();
  for (const Primitive& q : list.items()) {
    if (q.paint.fill.a <= 0 && q.paint.outlineWidth <= 0) continue;
    const Prepared p = prepare(q, list, edges_);
    const bool shaded = q.paint.shaded, outlined = q.paint.outlineWidth > 0;
    const int y0 = std::max(0, p.y0), y1 = std::min(height - 1, p.y1);
    for (int y = y0; y <= y1; ++y) {
      const float py = y + 0.5f;
      float fxs, fxe;
      if (!rowSpan(p, py, fxs, fxe)) continue;
      const int xs = std::max({0, p.x0, static_cast<int>(std::floor(fxs))});
      const int xe = std::min({width - 1, p.x1, static_cast<int>(std::ceil(fxe))});
      if (xs > xe) continue;
      touch(y, xs, xe);
      const int n = xe - xs + 1;
      const float x0 = xs + 0.5f;
      switch (q.shape) {
        case Shape::Capsule: capsuleRow(p, x0, py, n, d, nx, ny); break;
        case Shape::Ellipse: ellipseRow(p, x0, py, n, d, nx, ny); break;
        case Shape::Polygon: polygonRow(p, x0, py, n, d, nx, ny); break;
      }
      const size_t at = static_cast<size_t>(y) * width + xs;
      float* r = accum_.data() + at;
      float* g = r + plane_;
      float* b = g + plane_;
      float* a = b + plane_;
      if (shaded && outlined) blendRow<true, true>(q.paint, n, d, nx, ny, r, g, b, a);
      else if (shaded) blendRow<true, false>(q.paint, n, d, nx, ny, r, g, b, a);
      else if (outlined) blendRow<false, true>(q.paint, n, d, nx, ny, r, g, b, a);
      else blendRow<false, false>(q.paint, n, d, nx, ny, r, g, b, a);
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
    const size_t row = static_cast<size_t>(y) * width;
    const float* r = accum_.data() + row;
    toStraightRgba8(r, r + plane_, r + 2 * plane_, r + 3 * plane_, lo, hi, o);
  }
}

}  // namespace persona
