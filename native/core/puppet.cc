#include "puppet.h"
#include <algorithm>
#include <cmath>

namespace persona {

namespace {

// Orthographic camera: metres → pixels, ground line near the bottom of the frame.
struct Camera {
  float scale, cx, groundY;
  float x(const Vec3& p) const { return cx + p.x * scale; }
  float y(const Vec3& p) const { return groundY - p.y * scale; }
};

Camera fullBodyCamera(const CharacterLook& look, const Framing& f) {
  const float figure = standingPelvisHeight(look) + look.torsoLength + look.neckLength + look.headRadius * 2.4f;
  const float scale = std::min(f.height * 0.78f / figure, f.width * 1.1f / figure);
  return {scale, f.width * 0.5f, f.height * 0.95f};
}

Paint shadedPaint(Rgba fill, const CharacterLook& look, float outlineWidth) {
  Paint p;
  p.fill = fill;
  p.shadow = darker(mix(fill, Rgba{0.45f, 0.3f, 0.55f, fill.a}, 0.18f), 0.78f);
  p.outline = look.outline;
  p.outlineWidth = outlineWidth;
  return p;
}

Paint flatPaint(Rgba fill) {
  Paint p;
  p.fill = fill;
  p.shaded = false;
  return p;
}

struct Builder {
  const CharacterLook& look;
  const float* cond;
  const SkeletonPose& sk;
  Camera cam;
  DisplayList& out;
  float line;  // outline width in pixels

  float expr(int channel) const { return clamp01(cond[kExpressionOffset + channel]); }

  void limb(const Vec3& a, const Vec3& b, float ra, float rb, const Paint& p, float bias = 0) {
    out.capsule(cam.x(a), cam.y(a), cam.x(b), cam.y(b), ra * cam.scale, rb * cam.scale, p, (a.z + b.z) * 0.5f + bias);
  }

  // Half-width on screen of a body section whose local x spans `halfWidth` and z spans `halfDepth`.
  float projectedHalfWidth(const Mat3& r, float halfWidth, float halfDepth) const {
    const Vec3 side = r * Vec3{1, 0, 0}, front = r * Vec3{0, 0, 1};
    return std::fabs(side.x) * halfWidth + std::fabs(front.x) * halfDepth;
  }

  void legs() {
    const Paint pants = shadedPaint(look.bottom, look, line);
    const Paint shoes = shadedPaint(look.shoes, look, line);
    const float r = look.limbRadius;
    for (int side = 0; side < 2; ++side) {
      const int hip = side ? kRightHip : kLeftHip, knee = side ? kRightKnee : kLeftKnee;
      const int ankle = side ? kRightAnkle : kLeftAnkle;
      const Vec3 toe = side ? sk.rightToe : sk.leftToe;
      limb(sk.position[hip], sk.position[knee], r * 1.45f, r * 1.15f, pants, -0.02f);
      limb(sk.position[knee], sk.position[ankle], r * 1.15f, r * 0.9f, pants, -0.015f);
      limb(sk.position[ankle], toe, r * 0.95f, r * 0.85f, shoes, -0.01f);
    }
  }

  void torso() {
    const Paint top = shadedPaint(look.top, look, line);
    const Paint pants = shadedPaint(look.bottom, look, line);
    const Vec3 hips = sk.position[kHips];
    const float hipHalf = projectedHalfWidth(sk.rotation[kHips], look.hipWidth * 0.62f, look.hipWidth * 0.42f);
    const float chestHalf = projectedHalfWidth(sk.rotation[kChest], look.shoulderWidth * 0.42f, look.shoulderWidth * 0.28f);
    const float waistHalf = projectedHalfWidth(sk.rotation[kSpine], look.hipWidth * 0.5f, look.hipWidth * 0.36f);
    // Pelvis first, then the shirt over it from waist to shoulders.
    const Vec3 pelvisLow = hips + sk.rotation[kHips] * Vec3{0, -0.05f, 0};
    out.ellipse(cam.x(pelvisLow), cam.y(pelvisLow), hipHalf * cam.scale, look.hipWidth * 0.42f * cam.scale, 0, pants, hips.z);
    const Vec3 waist = sk.position[kSpine] + sk.rotation[kSpine] * Vec3{0, 0.03f, 0};
    const Vec3 shoulders = sk.position[kNeck] + sk.rotation[kChest] * Vec3{0, -0.07f, 0};
    limb(waist, shoulders, waistHalf, chestHalf, top, 0.001f);
    const Paint skin = shadedPaint(look.skin, look, line);
    Paint neck = skin;
    neck.fill = darker(look.skin, 0.9f);
    limb(sk.position[kNeck] + sk.rotation[kNeck] * Vec3{0, -0.02f, 0}, sk.position[kHead], look.headRadius * 0.33f,
         look.headRadius * 0.3f, neck, -0.04f);
  }

  void arms() {
    const Paint sleeve = shadedPaint(look.top, look, line);
    const Paint skin = shadedPaint(look.skin, look, line);
    const float r = look.limbRadius;
    for (int side = 0; side < 2; ++side) {
      const int shoulder = side ? kRightShoulder : kLeftShoulder, elbow = side ? kRightElbow : kLeftElbow;
      const int wrist = side ? kRightWrist : kLeftWrist;
      const Vec3 handEnd = side ? sk.rightHandEnd : sk.leftHandEnd;
      const Vec3 s = sk.position[shoulder], e = sk.position[elbow], w = sk.position[wrist];
      limb(e, w, r * 0.95f, r * 0.8f, skin, 0.02f);
      limb(s, e, r * 1.3f, r * 1.05f, sleeve, 0.021f);
      const Vec3 palm = (w + handEnd) * 0.5f;
      const float hx = cam.x(handEnd) - cam.x(w), hy = cam.y(handEnd) - cam.y(w);
      out.ellipse(cam.x(palm), cam.y(palm), r * 1.25f * cam.scale, std::max(r * 1.3f * cam.scale, std::hypot(hx, hy) * 0.55f),
                  std::atan2(hx, -hy), skin, palm.z + 0.022f);
    }
  }

  // A point on the head sphere along local direction (dx,dy,dz); returns its facing (world z of the normal).
  float onHead(float dx, float dy, float dz, Vec3& at) const {
    const float n = std::sqrt(dx * dx + dy * dy + dz * dz);
    const Vec3 dir = sk.rotation[kHead] * Vec3{dx / n, dy / n, dz / n};
    at = sk.headCenter + dir * look.headRadius;
    return dir.z;
  }

  void hairBack() {
    const Paint hair = shadedPaint(look.hair, look, line);
    const float R = look.headRadius;
    const Mat3& hr = sk.rotation[kHead];
    const Vec3 back = sk.headCenter + hr * Vec3{0, 0.1f * R, -0.45f * R};
    const float length = look.hairStyle == HairStyle::Short ? 1.0f : 1.22f;
    out.ellipse(cam.x(back), cam.y(back) + (length - 1.1f) * R * cam.scale, 1.13f * R * cam.scale, length * R * cam.scale, 0,
                hair, back.z);
    if (look.hairStyle == HairStyle::Ponytail) {
      const Vec3 root = sk.headCenter + hr * Vec3{0, 0.3f * R, -1.0f * R};
      const Vec3 tip = root + hr * Vec3{0, -1.9f * R, -0.5f * R};
      limb(root, tip, 0.38f * R, 0.16f * R, hair, -0.5f * R);
    }
    if (look.hairStyle == HairStyle::Bob) {
      for (int side = -1; side <= 1; side += 2) {
        const Vec3 top = sk.headCenter + hr * Vec3{side * 0.92f * R, 0.25f * R, 0.05f * R};
        const Vec3 low = sk.headCenter + hr * Vec3{side * 0.9f * R, -0.85f * R, 0.1f * R};
        limb(top, low, 0.26f * R, 0.2f * R, hair, 0);
      }
    }
  }

  void head() {
    const float R = look.headRadius;
    const Paint skin = shadedPaint(look.skin, look, line);
    const Vec3 c = sk.headCenter;
    out.ellipse(cam.x(c), cam.y(c), R * 0.97f * cam.scale, R * cam.scale, 0, skin, c.z);
    // The hair cap sits on the skull at the head's depth, so the face drawn in front of it stays visible.
    const Paint hair = shadedPaint(look.hair, look, line);
    const Mat3& hr = sk.rotation[kHead];
    const Vec3 up = hr * Vec3{0, 1, 0};
    const Vec3 cap = c + hr * Vec3{0, 0.42f * R, -0.05f * R};
    out.ellipse(cam.x(cap), cam.y(cap), 1.06f * R * cam.scale, 0.74f * R * cam.scale, std::atan2(up.x, up.y), hair, c.z);
    // Fringe: tufts from the crown down over the forehead; they sort behind the skull when it turns away.
    for (int i = -2; i <= 2; ++i) {
      Vec3 crown, tip;
      onHead(i * 0.12f, 1.0f, 0.35f, crown);
      const float facing = onHead(i * 0.3f, 0.42f - std::abs(i) * 0.06f, 0.9f, tip);
      const float depth = c.z + facing * R * 0.9f;
      out.capsule(cam.x(crown), cam.y(crown), cam.x(tip), cam.y(tip), 0.24f * R * cam.scale, 0.06f * R * cam.scale, hair, depth);
    }
  }

  void face() {
    const float R = look.headRadius, px = R * cam.scale;
    const float happy = expr(kHappy), sad = expr(kSad), angry = expr(kAngry), surprised = expr(kSurprised);
    const float lookX = std::max(-1.f, std::min(1.f, cond[kExpressionOffset + kLookX]));
    const float lookY = std::max(-1.f, std::min(1.f, cond[kExpressionOffset + kLookY]));
    const Vec3 up = sk.rotation[kHead] * Vec3{0, 1, 0};
    const float tilt = std::atan2(up.x, up.y);
    Paint lash = flatPaint(look.outline);
    Paint white = flatPaint({1, 1, 1, 1});
    Paint iris = flatPaint(look.eyes);
    Paint pupil = flatPaint(darker(look.eyes, 0.35f));
    for (int side = -1; side <= 1; side += 2) {
      Vec3 eye;
      const float facing = onHead(side * 0.36f, -0.08f, 0.93f, eye);
      if (facing < 0.15f) continue;
      const float depth = sk.headCenter.z + facing * R;
      const float squash = std::min(1.f, facing * 1.1f);
      const float blink = expr(side < 0 ? kBlinkRight : kBlinkLeft);
      const float open = (1.f - blink) * (1.f - 0.8f * happy) * (1.f + 0.3f * surprised);
      const float ex = cam.x(eye), ey = cam.y(eye);
      const float w = 0.22f * px * squash, h = 0.3f * px * open;
      if (open > 0.22f && happy < 0.6f) {
        out.ellipse(ex, ey, w, h, tilt, white, depth);
        const float ix = ex + lookX * w * 0.35f, iy = ey - lookY * h * 0.3f;
        out.ellipse(ix, iy, w * 0.72f, h * 0.8f, tilt, iris, depth);
        out.ellipse(ix, iy + h * 0.08f, w * 0.36f, h * 0.42f, tilt, pupil, depth);
        out.ellipse(ix - w * 0.25f, iy - h * 0.35f, w * 0.18f, w * 0.18f, 0, white, depth);
        out.capsule(ex - w * 1.1f, ey - h * 0.8f, ex + w * 1.1f, ey - h * 0.95f, 0.05f * px, 0.05f * px, lash, depth);
      } else {
        // Closed or smiling eyes: an arc, bowed up when happy, down when simply shut.
        const float bow = (happy > 0.3f ? -0.14f : 0.06f) * px;
        out.capsule(ex - w, ey, ex, ey + bow, 0.045f * px, 0.045f * px, lash, depth);
        out.capsule(ex, ey + bow, ex + w, ey, 0.045f * px, 0.045f * px, lash, depth);
      }
      // Brows: raised by surprise, inner ends down when angry, up when sad.
      const float browY = ey - (0.42f + 0.18f * surprised - 0.06f * angry) * px;
      const float inner = (0.12f * angry - 0.12f * sad) * px;  // +: inner end lower
      const float innerX = ex - side * w * 1.1f, outerX = ex + side * w * 1.1f;
      out.capsule(innerX, browY + inner, outerX, browY - inner * 0.3f, 0.045f * px, 0.035f * px, flatPaint(darker(look.hair, 0.7f)),
                  depth + 0.001f);
      if (happy > 0.05f) {
        Paint blush = flatPaint({1.f, 0.45f, 0.5f, 0.45f * happy});
        out.ellipse(ex + side * w * 0.4f, ey + 0.32f * px, w * 0.9f, 0.08f * px, 0, blush, depth);
      }
      const float tearAmount = expr(kTear);
      if (tearAmount > 0.02f) {
        Paint tear = flatPaint({0.55f, 0.8f, 1.f, 0.85f * tearAmount});
        out.ellipse(ex + side * w * 0.6f, ey + h + 0.12f * px, 0.05f * px, 0.08f * px, 0, tear, depth + 0.001f);
      }
    }
    Vec3 mouth;
    const float facing = onHead(0, -0.5f, 0.87f, mouth);
    if (facing < 0.2f) return;
    const float depth = sk.headCenter.z + facing * R;
    const float squash = std::min(1.f, facing * 1.1f);
    const float open = std::max({expr(kVisemeAa), expr(kVisemeOh) * 0.85f, expr(kVisemeOu) * 0.6f, expr(kVisemeEe) * 0.4f,
                                 expr(kVisemeIh) * 0.35f, surprised * 0.7f});
    const float smile = happy - sad - 0.6f * angry;
    const float mx = cam.x(mouth), my = cam.y(mouth);
    const float halfWidth = (0.2f + 0.06f * smile + 0.06f * expr(kVisemeEe) - 0.08f * expr(kVisemeOu)) * px * squash;
    if (open > 0.08f) {
      out.ellipse(mx, my + 0.03f * px, halfWidth, 0.3f * px * open, tilt, flatPaint({0.5f, 0.13f, 0.16f, 1}), depth);
      out.ellipse(mx, my + 0.03f * px + 0.18f * px * open, halfWidth * 0.6f, 0.1f * px * open, tilt, flatPaint({0.9f, 0.45f, 0.45f, 1}),
                  depth);
    } else {
      // A curved line: the middle dips for a smile, rises for a frown.
      const float bend = 0.15f * px * smile;
      const float xs[5] = {-1.f, -0.5f, 0.f, 0.5f, 1.f};
      for (int i = 0; i < 4; ++i) {
        const float t0 = xs[i], t1 = xs[i + 1];
        out.capsule(mx + t0 * halfWidth, my + bend * (1 - t0 * t0), mx + t1 * halfWidth, my + bend * (1 - t1 * t1), 0.04f * px,
                    0.04f * px, lash, depth);
      }
    }
  }
};

}  // namespace

void buildPuppet(const CharacterLook& look, const float* conditioning, const Framing& framing, DisplayList& out) {
  out.clear();
  const SkeletonPose sk = solveSkeleton(look, conditioning);
  Builder b{look, conditioning, sk, fullBodyCamera(look, framing), out, std::max(1.f, framing.height / 300.f)};
  b.legs();
  b.torso();
  b.arms();
  b.hairBack();
  b.head();
  b.face();
  out.sortByDepth();
}

}  // namespace persona
