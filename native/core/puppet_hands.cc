// Hands from the hand channels: curl folds the fingers into the palm, point keeps the index
// straight, thumb raises the thumb. The shapes blend continuously (open, fist, point, thumbs-up
// and everything between), because each finger's reach is a smooth function of the weights.
#include "puppet_builder.h"

namespace persona {

namespace {

void hand(PuppetBuilder& b, int side) {
  const CharacterLook& look = b.look;
  const int wristJoint = side ? kRightWrist : kLeftWrist;
  const Vec3 wrist = b.sk.position[wristJoint];
  const Mat3& rot = b.sk.rotation[wristJoint];
  const float curl = b.handChannel(side, kHandCurl), point = b.handChannel(side, kHandPoint), thumb = b.handChannel(side, kHandThumb);
  const float s = look.limbRadius;  // hand scale
  const float mirror = side ? -1.f : 1.f;  // the thumb sits toward the body's front/inside
  const Paint skin = b.shaded(look.skin, 0.8f);
  const float bias = 0.033f;
  // Palm: a rounded block below the wrist; it balls up as the fingers curl into a fist.
  const Vec3 palm = wrist + rot * Vec3{0, -s * (1.05f - 0.2f * curl), 0};
  b.limb(wrist + rot * Vec3{0, -s * 0.3f, 0}, palm, s * 0.85f, s * (0.95f + 0.15f * curl), skin, bias);
  // Fingers: four across the palm's end; each reaches out when open and shrinks to a knuckle when curled.
  for (int i = 0; i < 4; ++i) {
    const float across = (-0.55f + i * 0.37f) * s * mirror;
    const bool index = i == 0;
    const float bend = index ? curl * (1.f - point) : curl;
    const float length = s * (i == 3 ? 0.75f : 0.95f) * (index ? 1.f + 0.25f * point : 1.f);
    const Vec3 base = palm + rot * Vec3{across, -s * (0.55f + 0.2f * curl), 0};
    const Vec3 tip = base + rot * Vec3{across * 0.12f, -length * (1.f - 0.92f * bend), s * 0.2f * bend};
    b.limb(base, tip, s * (0.24f + 0.05f * bend), s * (0.21f + 0.06f * bend), skin, bias + 0.0005f + 0.001f * bend);
  }
  // Thumb: out to the side and down when open, tucked across the fingers in a fist, up for thumbs-up.
  // Raised, the thumb starts from the top of the fist so it stands clear of it.
  const Vec3 thumbBase = (wrist + rot * Vec3{-0.6f * s * mirror, -s * 0.75f, s * 0.3f}) * (1 - thumb) +
                         (palm + Vec3{0, s * 0.55f, s * 0.3f}) * thumb;
  const Vec3 openDir = rot * Vec3{-0.7f * mirror, -0.7f, 0.2f};
  const Vec3 tuckDir = rot * Vec3{0.8f * mirror, -0.3f, 0.6f};
  const Vec3 upDir{0, 1, 0.15f};
  Vec3 dir = openDir * (1 - curl) + tuckDir * curl;
  dir = dir * (1 - thumb) + upDir * thumb;
  const float len = std::max(1e-4f, length(dir));
  const Vec3 thumbTip = thumbBase + dir * (s * (0.8f + 0.5f * thumb) / len);
  b.limb(thumbBase, thumbTip, s * (0.27f + 0.08f * thumb), s * (0.22f + 0.08f * thumb), skin, bias + 0.002f);
}

}  // namespace

void drawHands(PuppetBuilder& b) {
  hand(b, 0);
  hand(b, 1);
}

}  // namespace persona
