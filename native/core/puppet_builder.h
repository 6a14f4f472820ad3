// Shared state and helpers for the parts of the puppet (body, head, face, hands), each in its own file.
// Depth is world z (toward the viewer) plus small biases that settle ties between touching parts.
#pragma once
#include <algorithm>
#include <cmath>
#include "camera.h"
#include "character.h"
#include "conditioning.h"
#include "display_list.h"
#include "skeleton.h"

namespace persona {

inline float smooth01(float e0, float e1, float x) {
  const float t = clamp01((x - e0) / (e1 - e0));
  return t * t * (3 - 2 * t);
}

inline Rgba withAlpha(Rgba c, float a) { return {c.r, c.g, c.b, c.a * a}; }

struct PuppetBuilder {
  const CharacterLook& look;
  const float* cond;
  const SkeletonPose& sk;
  Camera cam;
  DisplayList& out;
  float line;  // outline width in pixels

  float expr(int channel) const { return clamp01(cond[kExpressionOffset + channel]); }
  float handChannel(int side, int channel) const { return clamp01(cond[kHandOffset + side * kHandChannelsPerHand + channel]); }

  // Cel-shaded paint with an ink outline: the shadow leans toward a cool purple, as in hand-painted 2D art.
  // `shadow` sets how deep the shade is (skin takes a lighter one).
  Paint shaded(Rgba fill, float outlineScale = 1.f, float shadow = 1.f) const {
    Paint p;
    p.fill = fill;
    p.shadow = darker(mix(fill, Rgba{0.42f, 0.3f, 0.6f, fill.a}, 0.22f * shadow), 1.f - 0.2f * shadow);
    p.outline = look.outline;
    p.outlineWidth = line * outlineScale;
    return p;
  }
  static Paint flat(Rgba fill) {
    Paint p;
    p.fill = fill;
    p.shaded = false;
    return p;
  }
  Paint flatOutlined(Rgba fill, float outlineScale = 1.f) const {
    Paint p = flat(fill);
    p.outline = look.outline;
    p.outlineWidth = line * outlineScale;
    return p;
  }

  float px(float metres) const { return metres * cam.scale; }
  void limb(const Vec3& a, const Vec3& b, float ra, float rb, const Paint& p, float bias = 0) {
    out.capsule(cam.x(a), cam.y(a), cam.x(b), cam.y(b), px(ra), px(rb), p, (a.z + b.z) * 0.5f + bias);
  }
  void ball(const Vec3& c, float r, const Paint& p, float bias = 0) {
    out.ellipse(cam.x(c), cam.y(c), px(r), px(r), 0, p, c.z + bias);
  }

  // A point on the head sphere along local direction (dx,dy,dz); returns how much it faces the viewer.
  float onHead(float dx, float dy, float dz, Vec3& at, float radiusScale = 1.f) const {
    const float n = std::sqrt(dx * dx + dy * dy + dz * dz);
    const Vec3 dir = sk.rotation[kHead] * Vec3{dx / n, dy / n, dz / n};
    at = sk.headCenter + dir * (look.headRadius * radiusScale);
    return dir.z;
  }
  // Screen angle of the head's up axis, for tilting face features with the head.
  float headTilt() const {
    const Vec3 up = sk.rotation[kHead] * Vec3{0, 1, 0};
    return std::atan2(up.x, up.y);
  }
};

void drawBody(PuppetBuilder& b);   // legs, torso, outfit, arms, props (puppet_body.cc)
void drawHead(PuppetBuilder& b);   // neck, skull, ears, hair, head accessories (puppet_head.cc)
void drawFace(PuppetBuilder& b);   // eyes, brows, mouth, blush, tear, sweat (puppet_face.cc)
float mouthParted(const PuppetBuilder& b);  // how far drawFace parts the lips, head radii (puppet_face.cc)
void drawHands(PuppetBuilder& b);  // palms, fingers and thumbs from the hand channels (puppet_hands.cc)

}  // namespace persona
