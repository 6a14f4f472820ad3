// The face: eyes and lids, brows, nose, mouth, cheeks, tears, sweat and marks, all from the expression
// channels. The channels first become a handful of shape parameters (how wide the eyes open, where the
// lids sit, how the brows slope, how the mouth bends and opens), after FACS action units, so that each
// emotion has a silhouette of its own: surprise a round "O" under high brows, fear a stretched grimace
// under pinched raised brows, disgust a one-sided sneer and a wrinkled nose, sleepiness heavy lids.
// Every feature changes continuously with its weights (sizes, curves, alphas), so a face eases from
// one expression to the next without a pop; features foreshorten with the head (a bowed head's eyes
// flatten into slits) and fade out as it turns away. When the head is small on screen (a full-body
// shot) the strokes thicken and the shapes exaggerate, as in game sprites, so the face still reads.
#include "puppet_builder.h"

namespace persona {

namespace {

constexpr float kPi = 3.14159265f;

struct FaceWeights {
  float happy, angry, sad, relaxed, surprised, fear, disgust;
  float aa, ih, ou, ee, oh, mbp, fv;
  float blush, tear, sweat, browRaise, squint, lidDroop, browTilt, mouthSide, mouthWave;
  float lookX, lookY;  // the gaze's look plus the expression's glance, -1..1
};

float signedChannel(const PuppetBuilder& b, int channel) { return std::max(-1.f, std::min(1.f, b.cond[kExpressionOffset + channel])); }

FaceWeights weights(const PuppetBuilder& b) {
  FaceWeights f{};
  f.happy = b.expr(kHappy);
  f.angry = b.expr(kAngry);
  f.sad = b.expr(kSad);
  f.relaxed = b.expr(kRelaxed);
  f.surprised = b.expr(kSurprised);
  f.fear = b.expr(kFear);
  f.disgust = b.expr(kDisgust);
  f.aa = b.expr(kVisemeAa);
  f.ih = b.expr(kVisemeIh);
  f.ou = b.expr(kVisemeOu);
  f.ee = b.expr(kVisemeEe);
  f.oh = b.expr(kVisemeOh);
  f.mbp = b.expr(kVisemeMbp);
  f.fv = b.expr(kVisemeFv);
  f.blush = b.expr(kBlush);
  f.tear = b.expr(kTear);
  f.sweat = b.expr(kSweat);
  f.browRaise = b.expr(kBrowRaise);
  f.squint = b.expr(kSquint);
  f.lidDroop = b.expr(kLidDroop);
  f.browTilt = b.expr(kBrowTilt);
  f.mouthSide = b.expr(kMouthSide);
  f.mouthWave = b.expr(kMouthWave);
  f.lookX = std::max(-1.f, std::min(1.f, signedChannel(b, kLookX) + signedChannel(b, kGlanceX)));
  f.lookY = std::max(-1.f, std::min(1.f, signedChannel(b, kLookY) + signedChannel(b, kGlanceY)));
  return f;
}

// A small patch of the head sphere seen on screen: local x runs to the face's right (the viewer's
// right when facing), local y down the face, both in pixels before foreshortening.
struct Patch {
  float ox = 0, oy = 0;  // screen position
  float xx = 1, xy = 0;  // screen step per local x pixel
  float yx = 0, yy = 1;  // screen step per local y pixel
  float facing = 1;      // the surface normal's z: 1 faces the viewer
  void at(float lx, float ly, float& x, float& y) const {
    x = ox + lx * xx + ly * yx;
    y = oy + lx * xy + ly * yy;
  }
  float angle() const { return std::atan2(xy, xx); }
  float sx() const { return std::hypot(xx, xy); }
  float sy() const { return std::hypot(yx, yy); }
};

Vec3 cross(Vec3 a, Vec3 b) { return {a.y * b.z - a.z * b.y, a.z * b.x - a.x * b.z, a.x * b.y - a.y * b.x}; }
Vec3 normalized(Vec3 v) {
  const float n = length(v);
  return n > 1e-6f ? v * (1.f / n) : Vec3{1, 0, 0};
}

// The patch at local head direction (dx, dy, dz): its tangents are the sphere's, so a feature on a
// turned or bowed head shrinks along the axis that turns away.
Patch patchAt(const PuppetBuilder& b, float dx, float dy, float dz, float radiusScale = 1.f) {
  Vec3 at;
  Patch p;
  p.facing = b.onHead(dx, dy, dz, at, radiusScale);
  const Mat3& hr = b.sk.rotation[kHead];
  const Vec3 normal = normalized(hr * Vec3{dx, dy, dz});
  const Vec3 across = normalized(cross(hr * Vec3{0, 1, 0}, normal));
  const Vec3 up = cross(normal, across);
  p.ox = b.cam.x(at);
  p.oy = b.cam.y(at);
  // Screen axes: x along the projected `across`, y at right angles to it, each as long as its tangent's
  // projection (no shear, so an ellipse drawn as one and as a cut polygon are the same shape).
  const float sx = std::max(1e-4f, std::hypot(across.x, across.y)), sy = std::hypot(up.x, up.y);
  p.xx = across.x;
  p.xy = -across.y;
  p.yx = -p.xy / sx * sy;
  p.yy = p.xx / sx * sy;
  return p;
}

// What the weights do to the face, worked out once per frame. Lengths are in head radii unless named.
struct FaceShape {
  float legible;     // 0 close up .. 1 when the head is small on screen
  float ink;         // stroke width multiplier
  // Eyes.
  float open;        // 1 open .. 0 shut (blinks and happy squeezes close it into an arc)
  float wide;        // upper lids raised, irises small (surprise, fear)
  float cover;       // upper lid lowered over the eye, share of its height (sleepy, relaxed)
  float slant;       // + lid lower at the inner corner (angry glare), - at the outer corner (sad, tired)
  float lower;       // lower lid raised, share of the eye's height (squint, disgust)
  float shine;       // wet eyes: a larger second highlight (sad, fear)
  // Brows.
  float browLift, browInnerUp, browKnit, browArch;
  // Mouth.
  float mouthOpen, mouthHalfWidth, smile, skew, wave, round, square, upperTeeth, lowerTeeth, sneer, tongueOut;
  float press;  // lips pressed shut and rolled in (m, b, p)
  float tuck;   // lower lip drawn up under the upper teeth (f, v)
  float spread; // lips spread back over the upper teeth (ee): the band of teeth fills more of the opening
};

FaceShape shapeOf(const FaceWeights& f, float unit) {
  FaceShape s{};
  s.legible = smooth01(34.f, 16.f, unit);
  s.ink = 1.f + 0.8f * s.legible;
  const float boost = 1.f + 0.3f * s.legible;  // exaggeration when small
  s.open = clamp01(1.f - 0.85f * f.happy);
  s.wide = clamp01(f.surprised + 0.9f * f.fear);
  const float down = std::max(0.f, -f.lookY);  // the upper lid follows a downward look
  s.cover = clamp01(0.62f * f.lidDroop + 0.34f * f.relaxed + 0.14f * f.angry + 0.16f * f.sad + 0.12f * f.disgust + 0.1f * f.squint +
                    0.3f * down) * (1.f - 0.85f * s.wide);
  s.slant = 0.5f * f.angry + 0.22f * f.disgust - 0.35f * f.sad - 0.12f * f.fear - 0.14f * f.lidDroop;
  s.lower = clamp01(0.45f * f.squint + 0.42f * f.disgust + 0.2f * f.angry) * (1.f - 0.8f * s.wide);
  s.shine = clamp01(f.sad + 0.6f * f.fear + 0.5f * f.tear);
  s.browLift = (0.2f * f.surprised + 0.15f * f.browRaise + 0.1f * f.fear + 0.03f * f.sad + 0.03f * f.relaxed - 0.1f * f.angry -
                0.07f * f.disgust - 0.03f * f.squint) * boost;
  s.browInnerUp = (0.16f * f.sad + 0.16f * f.fear + 0.05f * f.lidDroop - 0.19f * f.angry - 0.06f * f.disgust) * boost;
  s.browKnit = 0.3f * f.angry + 0.3f * f.fear + 0.18f * f.disgust;
  s.browArch = 0.05f + 0.07f * f.surprised + 0.02f * f.relaxed - 0.05f * f.angry - 0.04f * f.fear;
  s.press = clamp01(f.mbp);
  s.tuck = clamp01(f.fv) * (1.f - s.press);
  // "ee" spreads wide with the upper teeth showing; "ih" is a narrower, smaller gap with little of them.
  s.mouthOpen = clamp01(0.32f * f.aa + 0.11f * f.ih + 0.16f * f.ou + 0.13f * f.ee + 0.26f * f.oh + 0.32f * f.surprised + 0.15f * f.fear +
                        0.14f * f.happy * (1 - f.sad) + 0.07f * f.disgust);
  // Pressed lips shut the mouth; lip to teeth holds it to a small gap, whatever the feeling.
  s.mouthOpen = (s.mouthOpen * (1.f - s.tuck) + 0.1f * s.tuck) * boost * (1.f - s.press);
  s.mouthHalfWidth = (0.2f + 0.07f * f.happy + 0.17f * f.fear + 0.1f * f.ee + 0.01f * f.ih + 0.03f * f.aa - 0.1f * f.ou - 0.08f * f.oh -
                      0.09f * f.surprised - 0.04f * f.sad - 0.05f * f.angry - 0.07f * f.mouthSide + 0.03f * f.disgust - 0.03f * s.press) * boost;
  s.smile = clamp01(f.happy + 0.55f * f.relaxed) - f.sad - 0.6f * f.angry - 0.25f * f.fear - 0.15f * f.disgust;
  s.skew = 0.55f * f.mouthSide - 0.5f * f.disgust;  // + lifts the viewer's right corner
  s.wave = clamp01(f.mouthWave + 0.45f * f.fear + 0.25f * f.disgust);
  s.round = clamp01(f.surprised + f.ou + f.oh);
  s.square = clamp01(f.fear);
  s.upperTeeth = clamp01(f.ee + 0.3f * f.ih + 0.6f * f.happy + f.fear + 0.8f * f.disgust + 2.f * s.tuck);
  s.lowerTeeth = clamp01(f.fear);
  s.spread = clamp01(f.ee);
  s.sneer = f.disgust;
  s.tongueOut = f.disgust;
  return s;
}

// How far the drawn lips part, in head radii: the opening shows from 0.02 and is opaque from 0.08.
// The sneer parts them on its side even with the jaw closed.
float partedOf(const FaceShape& s) { return std::max(s.mouthOpen, 0.09f * s.sneer); }

// A polyline of capsules: an arc or a lid line.
void stroke(PuppetBuilder& b, const float* xy, int n, float width, const Paint& p, float depth) {
  for (int i = 0; i + 1 < n; ++i)
    b.out.capsule(xy[i * 2], xy[i * 2 + 1], xy[i * 2 + 2], xy[i * 2 + 3], width, width, p, depth);
}

// A polyline drawn as one polygon with round ends: no joints whose anti-aliased edges overlap and
// bead, as a chain of capsules does on a thin line (the lips).
void ribbon(PuppetBuilder& b, const float* xy, int n, float width, const Paint& p, float depth) {
  constexpr int kMax = 16, kCap = 4;
  if (n < 2 || n > kMax) return stroke(b, xy, n, width, p, depth);
  float poly[(kMax * 2 + kCap * 2) * 2];
  int m = 0;
  auto normalAt = [&](int i, float& nx, float& ny) {
    const int a = std::max(0, i - 1), c = std::min(n - 1, i + 1);
    float dx = xy[c * 2] - xy[a * 2], dy = xy[c * 2 + 1] - xy[a * 2 + 1];
    const float l = std::max(1e-4f, std::hypot(dx, dy));
    nx = -dy / l;
    ny = dx / l;
  };
  auto cap = [&](int i, float sign) {  // a half circle round point i, from one side to the other
    float nx, ny;
    normalAt(i, nx, ny);
    for (int k = 1; k <= kCap; ++k) {
      const float a = kPi * k / (kCap + 1);
      const float ca = std::cos(a), sa = std::sin(a);
      // From one side's normal round the outward end to the other: ±(n·cos a + d·sin a), d = (ny, −nx) the line's direction.
      poly[m * 2] = xy[i * 2] + sign * width * (nx * ca + ny * sa);
      poly[m * 2 + 1] = xy[i * 2 + 1] + sign * width * (ny * ca - nx * sa);
      ++m;
    }
  };
  for (int i = 0; i < n; ++i, ++m) {
    float nx, ny;
    normalAt(i, nx, ny);
    poly[m * 2] = xy[i * 2] + nx * width;
    poly[m * 2 + 1] = xy[i * 2 + 1] + ny * width;
  }
  cap(n - 1, 1.f);
  for (int i = n - 1; i >= 0; --i, ++m) {
    float nx, ny;
    normalAt(i, nx, ny);
    poly[m * 2] = xy[i * 2] - nx * width;
    poly[m * 2 + 1] = xy[i * 2 + 1] - ny * width;
  }
  cap(0, -1.f);
  b.out.polygon(poly, m, p, depth);
}

// A stroke that thins from `w0` at its first point to `w1` at its last (brows).
void taperedStroke(PuppetBuilder& b, const float* xy, int n, float w0, float w1, const Paint& p, float depth) {
  for (int i = 0; i + 1 < n; ++i) {
    const float a = w0 + (w1 - w0) * i / (n - 1), c = w0 + (w1 - w0) * (i + 1) / (n - 1);
    b.out.capsule(xy[i * 2], xy[i * 2 + 1], xy[i * 2 + 2], xy[i * 2 + 3], a, c, p, depth);
  }
}

// Depth steps between the layers of one feature.
constexpr float kStep = 0.0001f;

void eye(PuppetBuilder& b, const FaceWeights& f, const FaceShape& s, int side) {  // side -1: the character's right eye (viewer's left)
  const float unit = b.px(b.look.headRadius);
  const Patch p = patchAt(b, side * 0.45f, -0.24f, 0.86f);
  const float show = smooth01(0.12f, 0.32f, p.facing);
  if (show <= 0.01f) return;
  const float depth = b.sk.headCenter.z + p.facing * b.look.headRadius + 0.002f;
  const float inner = -static_cast<float>(side);  // local x direction of the inner corner
  const float blink = b.expr(side < 0 ? kBlinkRight : kBlinkLeft);
  // A face turned steeply down (a bow) shows closed lids, not squashed eyes whose lashes and highlights read as tears.
  const float open = clamp01((1.f - blink) * s.open * smooth01(0.42f, 0.68f, p.sy()));
  const float size = b.look.eyeSize;
  const float w = 0.24f * unit * size * (1.f + 0.05f * s.wide), h = 0.28f * unit * size * (1.f + 0.16f * s.wide);
  const float angle = p.angle(), sx = p.sx(), sy = p.sy();
  auto at = [&](float lx, float ly, float& x, float& y) { p.at(lx, ly, x, y); };
  const Rgba ink = b.look.outline;
  const float eyeAlpha = show * smooth01(0.12f, 0.3f, open);
  const float eh = h * std::max(open, 0.12f);
  const float cy = (h - eh) * 0.35f;  // a closing lid comes down from the top
  const float outlinePx = b.line * 0.7f;
  if (eyeAlpha > 0.01f) {
    // Lids. The upper lid's line runs from `top0` (above the eye: no effect) down by `cover`, lower at
    // the inner corner for a glare or at the outer corner for a sad or tired droop; the lower lid rises
    // the same way from below. Every part of the eye is cut to what lies between the two lines, so a
    // lid never paints skin over the hair or the cheek's shade.
    const float span = 2.f * eh + 4.f;
    const float top0 = cy - eh - 2.f - outlinePx;
    const float bottom0 = cy + eh + 2.f + outlinePx;
    auto clampXn = [](float xn) { return std::max(-1.f, std::min(1.f, xn)); };
    // browTilt's lowered side narrows its eye too: the sceptical, puzzled squint.
    const float cover = clamp01(s.cover + (side < 0 ? 0.14f * f.browTilt : 0.f));
    const float lower = clamp01(s.lower + (side < 0 ? 0.3f * f.browTilt : 0.f));
    auto lidY = [&](float xn) {
      xn = clampXn(xn);
      const float u = clamp01((inner * xn + 1.f) * 0.5f);  // 0 outer corner .. 1 inner corner
      const float slantDrop = s.slant > 0 ? s.slant * u * u : -s.slant * (1 - u) * (1 - u);
      return top0 + span * clamp01(cover * (1.f - 0.2f * xn * xn) + slantDrop);
    };
    auto lowY = [&](float xn) {
      xn = clampXn(xn);
      return bottom0 - span * lower * (1.f - 0.2f * xn * xn);
    };
    auto topY = [&](float xn) { return cy - eh * std::sqrt(std::max(0.f, 1.f - xn * xn)); };
    const bool upperLid = cover > 0.001f || std::fabs(s.slant) > 0.001f;
    const bool cut = upperLid || lower > 0.001f;
    // An ellipse of the eye (local centre and radii), cut by the lids: its outline's points are pushed
    // down to the upper lid's line and up to the lower lid's, which for shapes this size is the cut.
    auto eyeEllipse = [&](float lx, float ly, float rx, float ry, const Paint& paint, float d) {
      float x, y;
      if (!cut) {
        at(lx, ly, x, y);
        b.out.ellipse(x, y, rx * sx, ry * sy, angle, paint, d);
        return;
      }
      // Enough points that the polygon strays under 0.05 px from the ellipse, so cutting starts without a pop.
      constexpr int kMaxN = 64;
      const float r = std::max(rx * sx, ry * sy);
      const int kN = std::max(12, std::min(kMaxN, static_cast<int>(std::ceil(kPi * std::sqrt(10.f * r)))));
      float poly[kMaxN * 2];
      float area = 0;
      for (int i = 0; i < kN; ++i) {
        const float a = 2.f * kPi * i / kN;
        const float ex = lx + rx * std::cos(a), xn = ex / w;
        float ey = ly + ry * std::sin(a);
        ey = std::min(std::max(ey, lidY(xn)), lowY(xn));
        area += std::fabs(ey - ly);
        at(ex, ey, poly[i * 2], poly[i * 2 + 1]);
      }
      if (area > 0.5f) b.out.polygon(poly, kN, paint, d);
    };
    // How much of a small mark at (lx, ly) the lids leave showing.
    auto uncovered = [&](float lx, float ly, float r) {
      const float xn = lx / w;
      return smooth01(-r, r, ly - lidY(xn)) * smooth01(-r, r, lowY(xn) - ly);
    };
    eyeEllipse(0, cy, w, eh, b.flatOutlined(withAlpha({1, 1, 1, 1}, eyeAlpha), 0.7f), depth);
    // Iris and pupil follow the look; wide eyes shrink them so the white shows all round.
    const float irisScale = 1.f - 0.34f * s.wide;
    const float lookDx = f.lookX * w * 0.42f, lookDy = -f.lookY * eh * 0.38f;
    const float ir = std::min(w * 0.78f, eh * 0.95f) * irisScale;
    const float irisY = cy + lookDy + eh * 0.08f * irisScale;
    eyeEllipse(lookDx, irisY, ir * 0.92f, std::min(eh * 0.92f, ir * 1.15f), b.flat(withAlpha(b.look.eyes, eyeAlpha)), depth + kStep);
    eyeEllipse(lookDx, irisY + ir * 0.25f, ir * 0.6f, std::min(eh * 0.6f, ir * 0.6f),
               b.flat(withAlpha(mix(b.look.eyes, {1, 1, 1, 1}, 0.3f), eyeAlpha * 0.7f)), depth + 2 * kStep);
    const float pupil = 1.f - 0.3f * s.wide;
    eyeEllipse(lookDx, irisY, ir * 0.45f * pupil, std::min(eh * 0.6f, ir * 0.6f) * pupil, b.flat(withAlpha(darker(b.look.eyes, 0.25f), eyeAlpha)),
               depth + 3 * kStep);
    // Highlights: one big catch-light, and a second that grows when the eyes are wet; hidden under a lid.
    float x, y;
    const float hl = ir * (0.28f + 0.06f * s.shine);
    const float hx = lookDx - ir * 0.35f, hy = irisY - ir * 0.3f;
    at(hx, hy, x, y);
    b.out.ellipse(x, y, hl * sx, hl * sy, angle, b.flat(withAlpha({1, 1, 1, 1}, eyeAlpha * uncovered(hx, hy, hl))), depth + 4 * kStep);
    const float hl2 = ir * (0.12f + 0.12f * s.shine) * (1.f - 0.5f * s.legible);
    const float hx2 = lookDx + ir * 0.3f, hy2 = irisY + ir * 0.35f;
    at(hx2, hy2, x, y);
    b.out.ellipse(x, y, hl2 * sx, hl2 * sy, angle, b.flat(withAlpha({1, 1, 1, 1}, eyeAlpha * 0.85f * uncovered(hx2, hy2, hl2))),
                  depth + 4 * kStep);
    // The lash line along what shows of the eye's top, inner → outer, with a flick out from the outer end.
    constexpr int kLid = 9;
    float lash[(kLid + 1) * 2];
    float lastY = 0;
    for (int i = 0; i < kLid; ++i) {
      const float xn = inner * (0.95f - 1.9f * i / (kLid - 1));
      const float top = topY(xn) * 0.8f + (cy - eh) * 0.2f;  // a little flatter than the eye
      const float ly = upperLid ? std::min(std::max(lidY(xn), top), lowY(xn) - 0.5f) : top;
      at(xn * w * 1.04f, ly, lash[i * 2], lash[i * 2 + 1]);
      lastY = ly;
    }
    at(-inner * w * 1.22f, lastY - 0.035f * unit, lash[kLid * 2], lash[kLid * 2 + 1]);
    stroke(b, lash, kLid + 1, std::max(1.2f, 0.05f * unit * size * s.ink), b.flat(withAlpha(ink, eyeAlpha)), depth + 7 * kStep);
  }
  // Closed or smiling eyes: an arc, bowed up for a smile (^), down for a plain blink; fades in as the eye shuts.
  const float arcAlpha = show * (1.f - smooth01(0.12f, 0.3f, open));
  if (arcAlpha > 0.01f) {
    const float bow = (0.05f - 0.2f * smooth01(0.2f, 0.6f, f.happy)) * unit;
    float arc[10];
    for (int i = 0; i < 5; ++i) {
      const float t = -1.f + i * 0.5f;
      p.at(t * w * 1.05f, bow * (1 - t * t) + h * 0.15f, arc[i * 2], arc[i * 2 + 1]);
    }
    stroke(b, arc, 5, std::max(1.2f, 0.05f * unit * s.ink), b.flat(withAlpha(ink, arcAlpha)), depth + 7 * kStep);
  }
  // Brows, inner → outer: lifted, sloped (inner end up for sad and fear, down for anger), pulled in
  // toward the nose, arched; browTilt raises the character's left brow and lowers the right.
  {
    const float tiltUp = side > 0 ? 0.17f * f.browTilt : -0.07f * f.browTilt;
    const float lift = (s.browLift + tiltUp) * unit;
    const float innerUp = (s.browInnerUp - (side < 0 ? 0.06f * f.browTilt : 0.f)) * unit;
    const float arch = (s.browArch + (side > 0 ? 0.05f * f.browTilt : -0.02f * f.browTilt)) * unit;
    const float knit = s.browKnit * w * 0.35f;
    const float baseH = 0.28f * unit * size;
    const float by = -baseH - 0.12f * unit;
    constexpr int kBrow = 5;
    float brow[kBrow * 2];
    for (int i = 0; i < kBrow; ++i) {
      const float t = static_cast<float>(i) / (kBrow - 1);  // 0 inner .. 1 outer
      const float lx = inner * w * (1.0f - 2.15f * t) + inner * knit * (1.f - t);
      const float ly = by - lift - innerUp * (1.f - t) * (1.f - t) - arch * std::sin(kPi * t) + 0.03f * unit * t;
      p.at(lx, ly, brow[i * 2], brow[i * 2 + 1]);
    }
    const float bw = std::max(1.1f, 0.05f * unit * s.ink), bwOuter = std::max(0.9f, 0.03f * unit * s.ink);
    // A light rim first, so a brow over the fringe still shows against dark hair; it narrows away as the
    // head turns, so a profile's brow does not stand out past the head's outline.
    const float rim = 0.6f * b.line * smooth01(0.45f, 0.75f, p.facing);
    if (rim > 0.05f)
      taperedStroke(b, brow, kBrow, bw + rim, bwOuter + rim, b.flat(withAlpha(mix(b.look.skin, b.look.hair, 0.4f), show)), depth + 8 * kStep);
    taperedStroke(b, brow, kBrow, bw, bwOuter, b.flat(withAlpha(mix(darker(b.look.hair, 0.6f), ink, 0.35f), show)), depth + 9 * kStep);
  }
  // Blush under the eye: a soft pink patch with three light strokes.
  const float blush = std::max(f.blush, 0.45f * f.happy);
  if (blush > 0.01f) {
    float x, y;
    const float cheekY = h * 0.95f + 0.07f * unit;
    p.at(w * 0.2f * side, cheekY, x, y);
    b.out.ellipse(x, y, w * 1.05f * sx, 0.11f * unit * sy, angle, b.flat({1.f, 0.42f, 0.5f, (0.5f + 0.2f * s.legible) * blush * show}),
                  depth - kStep);
    for (int i = -1; i <= 1; ++i) {
      float x0, y0, x1, y1;
      p.at(w * 0.2f * side + i * w * 0.45f + 0.04f * unit, cheekY - 0.05f * unit, x0, y0);
      p.at(w * 0.2f * side + i * w * 0.45f - 0.02f * unit, cheekY + 0.05f * unit, x1, y1);
      const float lw = std::max(0.6f, 0.013f * unit * s.ink);
      b.out.capsule(x0, y0, x1, y1, lw, lw, b.flat({0.9f, 0.3f, 0.38f, 0.6f * f.blush * show}), depth);
    }
  }
  // A tear: welling at the lower lid, then a drop down the cheek as the weight grows.
  if (f.tear > 0.01f) {
    const Rgba water{0.55f, 0.8f, 1.f, 0.9f * show};
    const float big = 1.f + 0.4f * s.legible;
    float x, y, x1, y1;
    p.at(w * 0.55f * side, h * 0.5f, x, y);
    p.at(w * 0.7f * side, h * 0.5f + (0.1f + 0.45f * f.tear) * unit, x1, y1);
    Paint stream = b.flat(withAlpha(water, 0.55f * f.tear));
    b.out.capsule(x, y, x1, y1, 0.03f * unit * f.tear * big, 0.04f * unit * f.tear * big, stream, depth + 10 * kStep);
    b.out.ellipse(x1, y1, 0.05f * unit * f.tear * big + 0.5f, 0.07f * unit * f.tear * big + 0.5f, angle,
                  b.flatOutlined(withAlpha(water, f.tear), 0.5f), depth + 11 * kStep);
  }
}

void nose(PuppetBuilder& b, const FaceWeights& f, const FaceShape& s) {
  // The bridge: a small outlined bump just outside the skull, drawn behind it, so it shows only
  // where it sticks out past the head's outline: in profile, a nose; from the front, nothing.
  Vec3 tip;
  b.onHead(0, -0.4f, 0.92f, tip, 1.04f);
  b.out.ellipse(b.cam.x(tip), b.cam.y(tip), b.px(0.1f * b.look.headRadius), b.px(0.1f * b.look.headRadius), 0,
                b.shaded(b.look.skin, 1.f, 0.55f), b.sk.headCenter.z - 0.0001f);
  const Patch p = patchAt(b, 0, -0.44f, 0.9f);
  const float show = smooth01(-0.3f, 0.1f, p.facing) * (1.f - smooth01(0.3f, 0.6f, -p.facing));
  if (show <= 0.01f) return;
  const float unit = b.px(b.look.headRadius);
  const float depth = b.sk.headCenter.z + p.facing * b.look.headRadius + 0.002f;
  // A small shadow tick on the side away from the light; disgust scrunches it up.
  const float lift = -0.04f * unit * f.disgust;
  float x0, y0, x1, y1;
  p.at(0.02f * unit, lift, x0, y0);
  p.at(0.05f * unit, 0.05f * unit + lift, x1, y1);
  b.out.capsule(x0, y0, x1, y1, std::max(0.7f, 0.018f * unit * s.ink), std::max(0.6f, 0.014f * unit * s.ink),
                b.flat(withAlpha(darker(b.look.skin, 0.7f), show)), depth);
  // Disgust wrinkles the nose: short creases across the bridge, between the eyes.
  if (f.disgust > 0.01f) {
    const Paint crease = b.flat(withAlpha(darker(b.look.skin, 0.62f), show * smooth01(0.f, 0.6f, f.disgust)));
    const float cw = std::max(0.6f, 0.016f * unit * s.ink);
    for (int i = 0; i < 3; ++i) {
      const float y = -0.2f * unit + i * 0.055f * unit;
      const float half = (0.06f + 0.015f * i) * unit;
      float c[6];
      p.at(-half, y + 0.015f * unit, c[0], c[1]);
      p.at(0, y - 0.012f * unit, c[2], c[3]);
      p.at(half, y + 0.015f * unit, c[4], c[5]);
      stroke(b, c, 3, cw, crease, depth);
    }
  }
}

void mouth(PuppetBuilder& b, const FaceWeights& f, const FaceShape& s) {
  const Patch p = patchAt(b, 0, -0.62f, 0.78f);
  const float show = smooth01(0.1f, 0.3f, p.facing);
  if (show <= 0.01f) return;
  const float unit = b.px(b.look.headRadius);
  const float depth = b.sk.headCenter.z + p.facing * b.look.headRadius + 0.003f;
  const float open = s.mouthOpen;
  const float hw = std::max(0.05f, s.mouthHalfWidth) * unit;
  const float shift = 0.09f * unit * f.mouthSide;  // pushed toward the viewer's right
  const float bend = 0.15f * unit * s.smile * (1.f - 0.6f * s.press);  // corners up (smile) or down (frown); pressed lips flatten
  const float openPx = open * unit * 0.9f;         // lower lip drop
  // In the mouth's own frame (pixels, y down). Upper lip: a smile lifts the corners, a frown drops
  // them (a rounded arch); skew lifts one corner; a wave wobbles it; a round mouth arches up; the
  // sneer lifts its left half off the teeth. Lower lip: drops by the opening, rounded for an "O",
  // flat-bottomed for a stretched grimace.
  constexpr int kN = 9;
  float tOf[kN], ux[kN], uy[kN], ly[kN];
  for (int i = 0; i < kN; ++i) {
    const float t = -1.f + 2.f * i / (kN - 1);
    const float at = std::fabs(t);
    const float curve = -bend * at * std::sqrt(at) + bend * 0.3f;
    const float skew = -s.skew * 0.09f * unit * t;
    const float wave = s.wave * 0.055f * unit * std::sin(t * 2.f * kPi) * (1.f - 0.3f * at);
    const float round = -openPx * 0.3f * s.round * (1 - t * t);
    const float lift = -0.035f * unit * s.tuck * (1 - t * t);  // the upper lip lifts off the teeth for f, v
    const float sneer = -s.sneer * 0.16f * unit * std::exp(-(t + 0.45f) * (t + 0.45f) * 8.f);
    const float lineY = curve + skew + wave;
    const float drop = std::sqrt(std::max(0.f, 1.f - std::pow(at, 2.f + 6.f * s.square)));
    tOf[i] = t;
    ux[i] = shift + t * hw;
    uy[i] = lineY - openPx * 0.15f * (1 - t * t) + round + sneer + lift;
    ly[i] = lineY + openPx * drop;
  }
  float upper[kN * 2];
  for (int i = 0; i < kN; ++i) p.at(ux[i], uy[i], upper[i * 2], upper[i * 2 + 1]);
  const float parted = partedOf(s);
  const float openAlpha = show * smooth01(0.02f, 0.08f, parted);
  if (openAlpha > 0.01f) {
    float poly[kN * 4];
    for (int i = 0; i < kN; ++i) { poly[i * 2] = upper[i * 2]; poly[i * 2 + 1] = upper[i * 2 + 1]; }
    for (int i = 0; i < kN; ++i) p.at(ux[kN - 1 - i], ly[kN - 1 - i], poly[kN * 2 + i * 2], poly[kN * 2 + i * 2 + 1]);
    b.out.polygon(poly, kN * 2, b.flatOutlined(withAlpha({0.45f, 0.12f, 0.16f, 1}, openAlpha), 0.8f * s.ink), depth);
    // Tongue low in the mouth (not behind clenched teeth).
    const float tongue = openAlpha * (1.f - s.lowerTeeth) * (1.f - 0.8f * s.round) * (1.f - s.sneer) * (1.f - s.tuck);
    if (tongue > 0.01f) {
      float tx, ty;
      p.at(shift, bend * 0.3f - bend + openPx * 0.75f, tx, ty);
      b.out.ellipse(tx, ty, hw * 0.55f * p.sx(), std::max(0.5f, openPx * 0.3f) * p.sy(), p.angle(),
                    b.flat(withAlpha({0.93f, 0.47f, 0.5f, 1}, tongue)), depth + kStep);
    }
    // Teeth: a band under the upper lip (speech, wide smiles, the grimace, the sneer) and one over the
    // lower lip for the clenched grimace; each follows its lip and reaches a share of the opening.
    auto teeth = [&](bool top, float amount, float share) {
      if (amount <= 0.01f) return;
      float band[(kN - 2) * 4];
      int n = 0;
      for (int i = 1; i < kN - 1; ++i, ++n) p.at(ux[i], top ? uy[i] : ly[i], band[n * 2], band[n * 2 + 1]);
      for (int i = kN - 2; i >= 1; --i, ++n) {
        const float gap = std::max(0.f, ly[i] - uy[i]) * share * std::sqrt(std::max(0.f, 1.f - tOf[i] * tOf[i]));
        p.at(ux[i], top ? uy[i] + gap : ly[i] - gap, band[n * 2], band[n * 2 + 1]);
      }
      b.out.polygon(band, n, b.flat({1, 1, 1, amount * openAlpha}), depth + 2 * kStep);
    };
    const float share = std::min(0.28f + 0.17f * s.lowerTeeth + 0.25f * s.sneer + 0.3f * s.spread, 0.58f);
    teeth(true, s.upperTeeth, share + (1.f - share) * s.tuck);  // f, v: the teeth rest on the lower lip
    teeth(false, s.lowerTeeth, 0.4f);
  }
  // f, v: the lower lip, drawn up and in under the teeth: a full pink lip along the opening's lower
  // edge, and the shadow it leaves under it.
  if (s.tuck > 0.01f) {
    const float alpha = show * smooth01(0.05f, 0.4f, s.tuck);
    float lip[(kN - 2) * 2], under[(kN - 2) * 2];
    for (int i = 1; i < kN - 1; ++i) {
      const float bulge = (1 - tOf[i] * tOf[i]);
      p.at(ux[i] * 0.92f + shift * 0.08f, ly[i] + 0.03f * unit * bulge, lip[(i - 1) * 2], lip[(i - 1) * 2 + 1]);
      p.at(ux[i] * 0.7f + shift * 0.3f, ly[i] + (0.07f + 0.05f * bulge) * unit, under[(i - 1) * 2], under[(i - 1) * 2 + 1]);
    }
    Paint pink = b.flatOutlined({0.86f, 0.45f, 0.5f, alpha}, 0.7f * s.ink);
    pink.outline.a *= alpha;
    ribbon(b, lip, kN - 2, std::max(1.f, 0.04f * unit * s.ink), pink, depth + 2.5f * kStep);
    ribbon(b, under, kN - 2, std::max(0.6f, 0.014f * unit * s.ink), b.flat(withAlpha(darker(b.look.skin, 0.72f), alpha)), depth + 2.5f * kStep);
  }
  // m, b, p: lips pressed together and rolled in: a firmer line, a crease at each corner and the
  // bulge of the pressed lower lip under it.
  if (s.press > 0.01f) {
    const float alpha = show * smooth01(0.05f, 0.4f, s.press);
    const Paint shade = b.flat(withAlpha(darker(b.look.skin, 0.64f), alpha));
    const float w = std::max(0.7f, 0.016f * unit * s.ink);
    float under[7 * 2];
    for (int i = 0; i < 7; ++i) {
      const float t = -1.f + 2.f * i / 6;
      const int k = std::min(kN - 1, std::max(0, static_cast<int>(std::lround((t * 0.55f + 1.f) * 0.5f * (kN - 1)))));
      p.at(shift + t * hw * 0.55f, uy[k] + (0.085f + 0.035f * (1 - t * t)) * unit, under[i * 2], under[i * 2 + 1]);
    }
    ribbon(b, under, 7, w, shade, depth + 2.5f * kStep);
    for (int side = -1; side <= 1; side += 2) {  // ( and ) just past the corners
      const int end = side < 0 ? 0 : kN - 1;
      float arc[6];
      p.at(ux[end] + side * 0.035f * unit, uy[end] - 0.055f * unit, arc[0], arc[1]);
      p.at(ux[end] + side * 0.06f * unit, uy[end], arc[2], arc[3]);
      p.at(ux[end] + side * 0.035f * unit, uy[end] + 0.055f * unit, arc[4], arc[5]);
      ribbon(b, arc, 3, w, shade, depth + 2.5f * kStep);
    }
  }
  // The lip line, always drawn; it thins as the mouth opens so the opening's outline takes over.
  // (Opaque: overlapping translucent capsules would bead.)
  const float lineWidth = std::max(0.9f, 0.035f * unit * s.ink) * (1.f - 0.6f * smooth01(0.02f, 0.08f, parted)) * (1.f + 0.25f * s.press);
  ribbon(b, upper, kN, lineWidth, b.flat(withAlpha(b.look.outline, show)), depth + 3 * kStep);
  // Disgust sticks the tongue out over the lower lip ("yuck"), a little off centre, under the upper lip.
  if (s.tongueOut > 0.01f) {
    const int mid = kN / 2 - 1;
    const float half = 0.08f * unit * (0.5f + 0.5f * s.tongueOut), len = 0.17f * unit * s.tongueOut;
    float x0, y0, x1, y1, g1x, g1y;
    p.at(ux[mid], ly[mid] + half * 0.2f, x0, y0);
    p.at(ux[mid] - 0.015f * unit, ly[mid] + half * 0.2f + len, x1, y1);
    const float alpha = show * smooth01(0.f, 0.35f, s.tongueOut);
    Paint tongue = b.flatOutlined({0.93f, 0.45f, 0.5f, alpha}, 0.8f * s.ink);
    tongue.outline.a *= alpha;
    b.out.capsule(x0, y0, x1, y1, half * 0.85f, half, tongue, depth + 2.5f * kStep);
    p.at(ux[mid] - 0.01f * unit, ly[mid] + half * 0.2f + len * 0.75f, g1x, g1y);
    const float gw = std::max(0.5f, 0.012f * unit * s.ink);
    b.out.capsule(x0, y0, g1x, g1y, gw, gw, b.flat({0.72f, 0.25f, 0.32f, alpha}), depth + 2.6f * kStep);
  }
}

// A sweat drop on the temple: a drop shape with a highlight.
void sweat(PuppetBuilder& b, const FaceWeights& f, const FaceShape& s) {
  if (f.sweat <= 0.01f) return;
  Vec3 at;
  const float facing = b.onHead(0.75f, 0.45f, 0.55f, at, 1.08f);
  const float show = smooth01(-0.1f, 0.2f, facing) * f.sweat;
  if (show <= 0.01f) return;
  const float unit = b.px(b.look.headRadius);
  const float x = b.cam.x(at), y = b.cam.y(at);
  const float sz = 0.16f * unit * (0.6f + 0.4f * f.sweat) * (1.f + 0.35f * s.legible);
  const float drop[10] = {x, y - sz * 1.6f, x + sz * 0.6f, y - sz * 0.2f, x + sz * 0.55f, y + sz * 0.5f,
                          x - sz * 0.55f, y + sz * 0.5f, x - sz * 0.6f, y - sz * 0.2f};
  const float depth = b.sk.headCenter.z + b.look.headRadius * 1.1f;
  b.out.polygon(drop, 5, b.flatOutlined({0.6f, 0.85f, 1.f, show}, 0.7f), depth);
  b.out.ellipse(x, y + sz * 0.35f, sz * 0.6f, sz * 0.45f, 0, b.flat({0.6f, 0.85f, 1.f, show}), depth + kStep);
  b.out.ellipse(x - sz * 0.2f, y, sz * 0.14f, sz * 0.22f, 0, b.flat({1, 1, 1, show}), depth + 2 * kStep);
}

// Fear drains the face: pale blue-violet lines hang down from under the fringe over the upper face,
// the comic-strip sign of dread.
void dread(PuppetBuilder& b, const FaceWeights& f, const FaceShape& s) {
  const float amount = smooth01(0.2f, 0.8f, f.fear);
  if (amount <= 0.01f) return;
  const Patch p = patchAt(b, 0, 0.02f, 1.f);
  const float show = smooth01(0.3f, 0.6f, p.facing) * amount;
  if (show <= 0.01f) return;
  const float unit = b.px(b.look.headRadius);
  const float depth = b.sk.headCenter.z + 0.8f * b.look.headRadius;  // over the skin and the fringe's tips, under the brows
  const Paint line = b.flat({0.36f, 0.32f, 0.62f, 0.55f * show});
  const float lw = std::max(0.7f, 0.018f * unit * s.ink);
  for (int i = -3; i <= 3; ++i) {
    const float x = i * 0.1f * unit;
    const float len = (0.2f + 0.06f * ((i + 3) % 3)) * unit;
    float x0, y0, x1, y1;
    p.at(x, -0.32f * unit, x0, y0);
    p.at(x, -0.32f * unit + len, x1, y1);
    b.out.capsule(x0, y0, x1, y1, lw, lw * 0.5f, line, depth);
  }
}

// Anger's mark: the cross-popping vein on the temple, over the hair.
void angerMark(PuppetBuilder& b, const FaceWeights& f, const FaceShape& s) {
  const float amount = smooth01(0.35f, 0.9f, f.angry);
  if (amount <= 0.01f) return;
  const Patch p = patchAt(b, -0.62f, 0.62f, 0.48f, 1.06f);
  const float show = smooth01(0.05f, 0.3f, p.facing) * amount;
  if (show <= 0.01f) return;
  const float unit = b.px(b.look.headRadius);
  const float depth = b.sk.headCenter.z + b.look.headRadius * 1.1f;
  const float r = 0.14f * unit * (1.f + 0.3f * s.legible);
  const float lw = std::max(1.f, 0.035f * unit * s.ink);
  Paint vein = b.flatOutlined({0.88f, 0.16f, 0.2f, show}, 0.5f);
  vein.outline.a *= show;
  // Four bracket arcs facing out from the centre: ╯╰ over ╮╭.
  for (int q = 0; q < 4; ++q) {
    const float qx = (q & 1) ? 1.f : -1.f, qy = (q & 2) ? 1.f : -1.f;
    float arc[6];
    p.at(qx * r * 0.3f, qy * r * 1.05f, arc[0], arc[1]);
    p.at(qx * r * 0.42f, qy * r * 0.42f, arc[2], arc[3]);
    p.at(qx * r * 1.05f, qy * r * 0.3f, arc[4], arc[5]);
    stroke(b, arc, 3, lw, vein, depth);
  }
}

void glasses(PuppetBuilder& b) {
  if (b.look.accessory != Accessory::Glasses) return;
  const float unit = b.px(b.look.headRadius);
  Vec3 eye[2];
  float facing[2];
  for (int i = 0; i < 2; ++i) facing[i] = b.onHead((i ? 1 : -1) * 0.45f, -0.24f, 0.86f, eye[i], 1.06f);
  const float show = smooth01(0.0f, 0.25f, std::min(facing[0], facing[1]));
  if (show <= 0.01f) return;
  // On the face, over the eyes, but under a hand held to the face.
  const float depth = b.sk.headCenter.z + b.look.headRadius * 0.97f;
  Paint lens = b.flatOutlined({0.85f, 0.92f, 1.f, 0.18f * show}, 1.6f);
  lens.outline = withAlpha(b.look.accessoryColour, show);
  const float tilt = b.headTilt();
  for (int i = 0; i < 2; ++i) {
    const float squash = std::min(1.f, facing[i] * 1.15f);
    b.out.ellipse(b.cam.x(eye[i]), b.cam.y(eye[i]), 0.3f * unit * squash, 0.25f * unit, tilt, lens, depth);
  }
  b.out.capsule(b.cam.x(eye[0]) + 0.22f * unit, b.cam.y(eye[0]), b.cam.x(eye[1]) - 0.22f * unit, b.cam.y(eye[1]), 0.025f * unit,
                0.025f * unit, b.flat(withAlpha(b.look.accessoryColour, show)), depth);
}

}  // namespace

float mouthParted(const PuppetBuilder& b) {
  const FaceShape s = shapeOf(weights(b), b.px(b.look.headRadius));
  return partedOf(s) * (1.f - s.tuck);  // f, v: the small gap is the teeth's, the inside does not show
}

void drawFace(PuppetBuilder& b) {
  const FaceWeights f = weights(b);
  const FaceShape s = shapeOf(f, b.px(b.look.headRadius));
  eye(b, f, s, -1);
  eye(b, f, s, 1);
  nose(b, f, s);
  mouth(b, f, s);
  sweat(b, f, s);
  dread(b, f, s);
  angerMark(b, f, s);
  glasses(b);
}

}  // namespace persona
