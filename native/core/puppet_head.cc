// Neck, skull, ears, hair (back mass, cap, fringe, locks by style) and head accessories.
// The back hair sits behind the skull's centre, so it hides behind the face from the front and
// covers the head from behind; fringe locks sort by where they sit on the sphere.
#include "puppet_builder.h"

namespace persona {

namespace {

void neck(PuppetBuilder& b) {
  Paint p = b.shaded(darker(b.look.skin, 0.92f));
  const Vec3 base = b.sk.position[kNeck] + b.sk.rotation[kNeck] * Vec3{0, -0.03f, 0};
  b.limb(base, b.sk.position[kHead] + b.sk.rotation[kHead] * Vec3{0, 0.02f, 0}, b.look.headRadius * 0.3f,
         b.look.headRadius * 0.28f, p, -0.05f);
}

void backHair(PuppetBuilder& b, const Paint& hair) {
  const float R = b.look.headRadius;
  const Mat3& hr = b.sk.rotation[kHead];
  const Vec3 c = b.sk.headCenter;
  const HairStyle style = b.look.hairStyle;
  float length = 1.05f;  // how far below the head centre the back mass reaches, in head radii
  if (style == HairStyle::Bob) length = 1.25f;
  if (style == HairStyle::Long) length = 2.6f;
  const bool cropped = style == HairStyle::Short || style == HairStyle::Spiky;
  if (cropped) length = 0.75f;
  const Vec3 top = c + hr * Vec3{0, 0.25f * R, -0.5f * R};
  const Vec3 low = c + hr * Vec3{0, (0.25f - length) * R, -0.55f * R};
  // Cropped hair hugs the skull and tapers into the nape.
  b.limb(top, low, (cropped ? 1.04f : 1.1f) * R, (style == HairStyle::Long ? 0.95f : cropped ? 0.62f : 0.9f) * R, hair, 0);
  if (style == HairStyle::Ponytail) {
    const Vec3 root = c + hr * Vec3{0, 0.45f * R, -1.0f * R};
    const Vec3 mid = root + hr * Vec3{0, -0.9f * R, -0.45f * R};
    const Vec3 tip = mid + hr * Vec3{0, -1.3f * R, 0.05f * R};
    b.limb(root, mid, 0.42f * R, 0.36f * R, hair, -0.2f * R);
    b.limb(mid, tip, 0.36f * R, 0.1f * R, hair, -0.21f * R);
    const Vec3 tie = root + hr * Vec3{0, -0.12f * R, -0.05f * R};
    b.ball(tie, 0.16f * R, b.shaded(b.look.top), 0.01f);  // a scrunchie matching the top
  }
}

void ears(PuppetBuilder& b) {
  const float R = b.look.headRadius;
  const Paint skin = b.shaded(b.look.skin);
  for (int s = -1; s <= 1; s += 2) {
    Vec3 at;
    const float facing = b.onHead(s * 1.0f, -0.12f, -0.05f, at, 0.97f);
    b.out.ellipse(b.cam.x(at), b.cam.y(at), b.px(0.2f * R), b.px(0.28f * R), b.headTilt(), skin, b.sk.headCenter.z + facing * R * 0.9f);
  }
}

void skull(PuppetBuilder& b) {
  const float R = b.look.headRadius;
  const Vec3 c = b.sk.headCenter;
  b.out.ellipse(b.cam.x(c), b.cam.y(c), b.px(R * 0.98f), b.px(R), b.headTilt(), b.shaded(b.look.skin, 1.f, 0.55f), c.z);
}

void hairCap(PuppetBuilder& b, const Paint& hair) {
  const float R = b.look.headRadius;
  const Mat3& hr = b.sk.rotation[kHead];
  const Vec3 c = b.sk.headCenter;
  const float tilt = b.headTilt();
  const Vec3 cap = c + hr * Vec3{0, 0.5f * R, -0.1f * R};
  b.out.ellipse(b.cam.x(cap), b.cam.y(cap), b.px(1.07f * R), b.px(0.62f * R), tilt, hair, c.z + 0.0001f);
  // A sheen on the crown, the glossy band of anime hair.
  Vec3 sheen;
  const float sheenFacing = b.onHead(-0.25f, 0.72f, 0.6f, sheen, 1.0f);
  const float sheenShow = smooth01(0.35f, 0.6f, sheenFacing);  // only where the crown faces us, never past the outline
  if (sheenShow > 0.01f) {
    const Rgba light = mix(b.look.hair, Rgba{1, 1, 1, 1}, 0.35f);
    b.out.ellipse(b.cam.x(sheen), b.cam.y(sheen), b.px(0.42f * R), b.px(0.1f * R), tilt - 0.35f,
                  PuppetBuilder::flat(withAlpha(light, 0.55f * sheenShow)), c.z + 0.0002f);
  }
  // Fringe locks from the crown down over the forehead.
  const bool spiky = b.look.hairStyle == HairStyle::Spiky;
  const int locks = spiky ? 4 : 3;
  for (int i = -locks; i <= locks; ++i) {
    const float t = static_cast<float>(i) / locks;
    Vec3 crown, tip;
    b.onHead(t * 0.35f, 1.0f, 0.25f, crown, 0.95f);
    // Short in the middle so the brows show, longer toward the temples.
    const float reach = (spiky ? 0.62f : 0.55f) - std::fabs(t) * 0.2f;
    const float facing = b.onHead(t * 0.95f, reach, 0.85f, tip, 1.04f);
    const float depth = c.z + std::max(facing, -0.2f) * R * 0.95f;
    b.out.capsule(b.cam.x(crown), b.cam.y(crown), b.cam.x(tip), b.cam.y(tip), b.px(0.26f * R), b.px(0.05f * R), hair, depth);
  }
  if (spiky) {
    // Spikes standing up around the crown.
    for (int i = -3; i <= 3; ++i) {
      Vec3 base, tip;
      const float facing = b.onHead(i * 0.3f, 0.9f, -0.1f, base, 0.9f);
      b.onHead(i * 0.55f, 1.5f, -0.2f, tip, 1.45f);
      b.out.capsule(b.cam.x(base), b.cam.y(base), b.cam.x(tip), b.cam.y(tip), b.px(0.3f * R), b.px(0.04f * R), hair,
                    c.z + facing * R * 0.5f - 0.0001f);
    }
  }
  // Side locks framing the face.
  if (b.look.hairStyle == HairStyle::Bob || b.look.hairStyle == HairStyle::Long || b.look.hairStyle == HairStyle::Ponytail) {
    const float drop = b.look.hairStyle == HairStyle::Long ? 1.5f : (b.look.hairStyle == HairStyle::Bob ? 0.95f : 0.6f);
    for (int s = -1; s <= 1; s += 2) {
      Vec3 top, low;
      const float facing = b.onHead(s * 0.9f, 0.35f, 0.35f, top, 1.02f);
      low = b.sk.headCenter + hr * Vec3{s * 0.92f * R, -drop * R, 0.2f * R};
      b.out.capsule(b.cam.x(top), b.cam.y(top), b.cam.x(low), b.cam.y(low), b.px(0.27f * R), b.px(0.12f * R), hair,
                    c.z + facing * R * 0.8f);
    }
  }
}

void headAccessory(PuppetBuilder& b) {
  const float R = b.look.headRadius;
  const Mat3& hr = b.sk.rotation[kHead];
  const Vec3 c = b.sk.headCenter;
  const float tilt = b.headTilt();
  const Paint paint = b.shaded(b.look.accessoryColour);
  // The band is a chain of capsules: flat, so no seams show between the links.
  const Paint band = PuppetBuilder::flat(b.look.accessoryColour);
  if (b.look.accessory == Accessory::Beanie) {
    const Vec3 dome = c + hr * Vec3{0, 0.55f * R, -0.05f * R};
    b.out.ellipse(b.cam.x(dome), b.cam.y(dome), b.px(1.1f * R), b.px(0.75f * R), tilt, paint, c.z + 0.35f * R);
    Vec3 l, r;
    b.onHead(-1, 0.45f, 0.3f, l, 1.06f);
    b.onHead(1, 0.45f, 0.3f, r, 1.06f);
    const Paint band = b.shaded(darker(b.look.accessoryColour, 0.8f));
    b.out.capsule(b.cam.x(l), b.cam.y(l), b.cam.x(r), b.cam.y(r), b.px(0.17f * R), b.px(0.17f * R), band, c.z + 0.36f * R);
    const Vec3 pom = c + hr * Vec3{0, 1.32f * R, -0.1f * R};
    b.ball(pom, 0.2f * R, b.shaded(b.look.topAccent), 0.36f * R);
  } else if (b.look.accessory == Accessory::Headband) {
    Vec3 prev;
    float prevFacing = b.onHead(-1, 0.5f, 0.05f, prev, 1.04f);
    for (int i = 1; i <= 6; ++i) {
      const float a = -1.f + i / 3.f;
      Vec3 at;
      const float facing = b.onHead(a, 0.62f + 0.35f * (1 - a * a), 0.35f * (1 - a * a) + 0.05f, at, 1.04f);
      // Over the fringe's roots where it faces us; behind the skull where it does not.
      const float mid = (facing + prevFacing) * 0.5f;
      b.out.capsule(b.cam.x(prev), b.cam.y(prev), b.cam.x(at), b.cam.y(at), b.px(0.09f * R), b.px(0.09f * R), band,
                    mid > 0 ? c.z + R * 1.01f : c.z + mid * R);
      prev = at;
      prevFacing = facing;
    }
  }
}

}  // namespace

void drawHead(PuppetBuilder& b) {
  const Paint hair = b.shaded(b.look.hair);
  neck(b);
  backHair(b, hair);
  ears(b);
  skull(b);
  hairCap(b, hair);
  headAccessory(b);
}

}  // namespace persona
