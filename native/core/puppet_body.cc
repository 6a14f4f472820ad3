// Legs, torso and outfit, arms, and the props a pose needs (ground shadow, a stool when sitting).
#include "puppet_builder.h"

namespace persona {

namespace {

struct Point2 { float x, y; };

Point2 screen(const PuppetBuilder& b, const Vec3& p) { return {b.cam.x(p), b.cam.y(p)}; }

// Half-width on screen (metres) of a body section whose local x spans `halfWidth` and z spans `halfDepth`.
float projectedHalfWidth(const Mat3& r, float halfWidth, float halfDepth) {
  const Vec3 side = r * Vec3{1, 0, 0}, front = r * Vec3{0, 0, 1};
  return std::fabs(side.x) * halfWidth + std::fabs(front.x) * halfDepth;
}

void groundShadow(PuppetBuilder& b) {
  const Vec3 feet = (b.sk.position[kLeftAnkle] + b.sk.position[kRightAnkle]) * 0.5f;
  const Vec3 ground{feet.x, 0, 0};
  const float w = b.look.hipWidth * 1.5f + 0.1f;
  b.out.ellipse(b.cam.x(ground), b.cam.y(ground), b.px(w), b.px(0.05f), 0, PuppetBuilder::flat({0.1f, 0.08f, 0.14f, 0.2f}), -100.f);
}

// A wooden stool under the hips, fading in as the character sits (there is nothing to sit on otherwise).
void stool(PuppetBuilder& b) {
  const float sitting = smooth01(0.08f, 0.25f, -b.cond[kRootOffset + 1]);
  if (sitting <= 0.01f) return;
  const Vec3 hips = b.sk.position[kHips];
  const float seatY = hips.y - b.look.hipWidth * 0.42f;
  const float half = b.look.hipWidth * 0.75f;
  const Rgba wood{0.62f, 0.42f, 0.26f, sitting};
  Paint legs = b.shaded(darker(wood, 0.85f));
  legs.outline.a = sitting;
  for (int s = -1; s <= 1; s += 2) {
    const Vec3 top{hips.x + s * half * 0.8f, seatY, hips.z - 0.05f}, foot{hips.x + s * half * 0.95f, 0.f, hips.z - 0.05f};
    b.limb(top, foot, 0.025f, 0.022f, legs, -0.3f);
  }
  Paint seat = b.shaded(wood);
  seat.outline.a = sitting;
  const Vec3 l{hips.x - half, seatY, hips.z}, r{hips.x + half, seatY, hips.z};
  b.out.capsule(b.cam.x(l), b.cam.y(l), b.cam.x(r), b.cam.y(r), b.px(0.04f), b.px(0.04f), seat, hips.z - 0.25f);
}

void legs(PuppetBuilder& b) {
  const CharacterLook& look = b.look;
  const float r = look.limbRadius;
  const Paint cloth = b.shaded(look.bottom), skin = b.shaded(look.skin), shoe = b.shaded(look.shoes);
  const bool bareThigh = look.bottomStyle != BottomStyle::Trousers;
  for (int side = 0; side < 2; ++side) {
    const Vec3 hip = b.sk.position[side ? kRightHip : kLeftHip], knee = b.sk.position[side ? kRightKnee : kLeftKnee];
    const Vec3 ankle = b.sk.position[side ? kRightAnkle : kLeftAnkle], toe = side ? b.sk.rightToe : b.sk.leftToe;
    const Mat3& ankleRot = b.sk.rotation[side ? kRightAnkle : kLeftAnkle];
    b.limb(hip, knee, r * 1.45f, r * 1.12f, bareThigh ? skin : cloth, -0.03f);
    if (look.bottomStyle == BottomStyle::Shorts) b.limb(hip, hip + (knee - hip) * 0.5f, r * 1.6f, r * 1.38f, cloth, -0.029f);
    b.limb(knee, ankle, r * 1.12f, r * 0.82f, bareThigh ? skin : cloth, -0.032f);
    if (look.shoeStyle == ShoeStyle::Boots) b.limb(knee + (ankle - knee) * 0.45f, ankle, r * 1.12f, r * 1.02f, shoe, -0.031f);
    // The foot: a rounded shoe with a pale sole.
    const Vec3 heel = ankle + ankleRot * Vec3{0, -0.045f, -0.03f};
    const Vec3 tip = toe + ankleRot * Vec3{0, 0.015f, 0};
    b.limb(heel + ankleRot * Vec3{0, -0.03f, 0}, tip + ankleRot * Vec3{0, -0.032f, 0.005f}, r * 0.62f, r * 0.55f,
           b.shaded(mix(look.shoes, Rgba{0.92f, 0.9f, 0.86f, 1}, 0.6f)), -0.0305f);
    b.limb(heel, tip, r * 0.98f, r * 0.85f, shoe, -0.03f);
  }
}

void torso(PuppetBuilder& b) {
  const CharacterLook& look = b.look;
  const SkeletonPose& sk = b.sk;
  const Vec3 hips = sk.position[kHips], neck = sk.position[kNeck];
  const Vec3 waist = sk.position[kSpine] + sk.rotation[kSpine] * Vec3{0, 0.06f, 0};
  const Vec3 chest = sk.position[kChest] + sk.rotation[kChest] * Vec3{0, look.torsoLength * 0.3f, 0};
  const Vec3 shoulders = neck + sk.rotation[kChest] * Vec3{0, -0.045f, 0};
  const Point2 h2 = screen(b, hips), n2 = screen(b, neck);
  float ux = n2.x - h2.x, uy = n2.y - h2.y;
  const float ul = std::max(1e-3f, std::hypot(ux, uy));
  ux /= ul; uy /= ul;
  const float perpX = -uy, perpY = ux;  // screen direction across the body
  const float hipHalf = projectedHalfWidth(sk.rotation[kHips], look.hipWidth * 0.72f, look.hipWidth * 0.5f);
  const float waistHalf = projectedHalfWidth(sk.rotation[kSpine], look.hipWidth * 0.6f, look.hipWidth * 0.45f);
  const float chestHalf = projectedHalfWidth(sk.rotation[kChest], look.shoulderWidth * 0.46f, look.shoulderWidth * 0.33f);
  const float shoulderHalf = projectedHalfWidth(sk.rotation[kChest], look.shoulderWidth * 0.56f, look.shoulderWidth * 0.3f);
  const float neckHalf = look.headRadius * 0.34f;

  // Lower garment first (trousers/shorts: a pelvis; skirt: a flared trapezoid), then the top over it.
  const Paint cloth = b.shaded(look.bottom);
  const Vec3 crotch = hips + sk.rotation[kHips] * Vec3{0, -0.1f, 0};
  const Point2 w2 = screen(b, waist), c2 = screen(b, crotch);
  if (look.bottomStyle == BottomStyle::Skirt) {
    const Vec3 hem = hips + sk.rotation[kHips] * Vec3{0, -look.thigh * 0.62f, 0.02f};
    const Point2 e2 = screen(b, hem);
    const float hemHalf = b.px(hipHalf * 1.45f), top = b.px(waistHalf * 1.02f);
    const float pts[12] = {w2.x - perpX * top, w2.y - perpY * top, w2.x + perpX * top, w2.y + perpY * top,
                           h2.x + perpX * b.px(hipHalf * 1.1f), h2.y + perpY * b.px(hipHalf * 1.1f),
                           e2.x + perpX * hemHalf, e2.y + perpY * hemHalf, e2.x - perpX * hemHalf, e2.y - perpY * hemHalf,
                           h2.x - perpX * b.px(hipHalf * 1.1f), h2.y - perpY * b.px(hipHalf * 1.1f)};
    b.out.polygon(pts, 6, cloth, hips.z + 0.02f);
  } else {
    const float pts[10] = {w2.x - perpX * b.px(waistHalf), w2.y - perpY * b.px(waistHalf), w2.x + perpX * b.px(waistHalf),
                           w2.y + perpY * b.px(waistHalf), h2.x + perpX * b.px(hipHalf), h2.y + perpY * b.px(hipHalf),
                           c2.x, c2.y + b.px(0.02f), h2.x - perpX * b.px(hipHalf), h2.y - perpY * b.px(hipHalf)};
    // No ink on the seat: its lower edge runs across the thighs of the same cloth, where a line
    // would read as a seam; the thighs and the top's hem carry the outline.
    Paint seat = cloth;
    seat.outlineWidth = 0;
    b.out.polygon(pts, 5, seat, hips.z - 0.01f);
  }

  // The top: hem at the hips, in at the waist, out over the chest, round shoulders, in to the neck.
  const Point2 ch2 = screen(b, chest), s2 = screen(b, shoulders);
  const Point2 hem2 = screen(b, hips + sk.rotation[kHips] * Vec3{0, 0.02f, 0});
  const float hemHalf = b.px(std::max(waistHalf * 1.08f, hipHalf * 0.98f));
  auto side = [&](const Point2& c, float half, float s, float along = 0) {
    return Point2{c.x + perpX * half * s + ux * along, c.y + perpY * half * s + uy * along};
  };
  const Point2 pts[] = {
      side(hem2, hemHalf, -1), side(w2, b.px(waistHalf), -1), side(ch2, b.px(chestHalf), -1),
      side(s2, b.px(shoulderHalf), -1, -b.px(0.02f)), side(s2, b.px(shoulderHalf * 0.8f), -1, b.px(0.03f)),
      side(n2, b.px(neckHalf * 1.4f), -1, -b.px(0.01f)), side(n2, b.px(neckHalf * 1.4f), 1, -b.px(0.01f)),
      side(s2, b.px(shoulderHalf * 0.8f), 1, b.px(0.03f)), side(s2, b.px(shoulderHalf), 1, -b.px(0.02f)),
      side(ch2, b.px(chestHalf), 1), side(w2, b.px(waistHalf), 1), side(hem2, hemHalf, 1)};
  float flatPts[24];
  for (int i = 0; i < 12; ++i) { flatPts[i * 2] = pts[i].x; flatPts[i * 2 + 1] = pts[i].y; }
  const float torsoDepth = sk.position[kChest].z;
  b.out.polygon(flatPts, 12, b.shaded(look.top), torsoDepth);

  // Front details only where the chest faces the viewer, fading as it turns.
  const Vec3 front = sk.rotation[kChest] * Vec3{0, 0, 1};
  const float facing = smooth01(0.45f, 0.8f, front.z);  // the neckline reads only from the front half
  const float depthHalf = look.shoulderWidth * 0.3f;
  if (facing > 0.01f) {
    const Vec3 neckFront = neck + sk.rotation[kChest] * Vec3{0, -0.035f, depthHalf * 0.55f};
    const Paint collarSkin = b.flatOutlined(withAlpha(look.skin, facing), 0.8f);
    b.out.ellipse(b.cam.x(neckFront), b.cam.y(neckFront), b.px(neckHalf * 1.15f) * std::max(0.4f, front.z), b.px(0.035f),
                  std::atan2(perpY, perpX), collarSkin, torsoDepth + 0.001f);
    if (look.topStyle == TopStyle::Jacket) {
      // The open jacket shows the shirt beneath: a front panel between the lapels.
      const Vec3 a = neck + sk.rotation[kChest] * Vec3{0, -0.05f, depthHalf};
      const Vec3 z = sk.position[kHips] + sk.rotation[kHips] * Vec3{0, 0.03f, depthHalf * 0.9f};
      const float wTop = b.px(0.07f) * front.z, wLow = b.px(0.05f) * front.z;
      const Point2 a2 = screen(b, a), z2 = screen(b, z);
      const float panel[8] = {a2.x - perpX * wTop, a2.y - perpY * wTop, a2.x + perpX * wTop, a2.y + perpY * wTop,
                              z2.x + perpX * wLow, z2.y + perpY * wLow, z2.x - perpX * wLow, z2.y - perpY * wLow};
      Paint shirt = b.shaded(look.topAccent, 0.8f);
      shirt.fill.a *= facing;
      shirt.shadow.a *= facing;
      shirt.outline.a *= facing;
      b.out.polygon(panel, 4, shirt, torsoDepth + 0.002f);
    } else {
      // A contrasting neckband.
      const Vec3 band = neck + sk.rotation[kChest] * Vec3{0, -0.02f, depthHalf * 0.5f};
      Paint trim = b.flat(withAlpha(look.topAccent, facing));
      b.out.capsule(b.cam.x(band) - perpX * b.px(neckHalf * 1.2f), b.cam.y(band) - perpY * b.px(neckHalf * 1.2f),
                    b.cam.x(band) + perpX * b.px(neckHalf * 1.2f), b.cam.y(band) + perpY * b.px(neckHalf * 1.2f), b.px(0.008f),
                    b.px(0.008f), trim, torsoDepth + 0.0005f);
    }
  }
  if (look.bottomStyle == BottomStyle::Trousers || look.bottomStyle == BottomStyle::Shorts) {
    // A belt line where the top meets the trousers.
    Paint belt = b.flat(darker(look.bottom, 0.6f));
    b.out.capsule(hem2.x - perpX * hemHalf * 0.92f, hem2.y - perpY * hemHalf * 0.92f, hem2.x + perpX * hemHalf * 0.92f,
                  hem2.y + perpY * hemHalf * 0.92f, b.px(0.006f), b.px(0.006f), belt, torsoDepth - 0.02f);
  }
  if (look.accessory == Accessory::Scarf) {
    const Paint scarf = b.shaded(look.accessoryColour);
    const Vec3 l = neck + sk.rotation[kChest] * Vec3{-neckHalf * 1.3f, -0.01f, 0.02f};
    const Vec3 r = neck + sk.rotation[kChest] * Vec3{neckHalf * 1.3f, -0.01f, 0.02f};
    // Just over the chest, so an arm folded or raised in front of it (crossed arms, a hand to the chin) covers the scarf.
    b.limb(l, r, 0.045f, 0.045f, scarf, 0.02f);
    const Vec3 knot = neck + sk.rotation[kChest] * Vec3{neckHalf * 0.8f, -0.03f, depthHalf * 0.9f};
    const Vec3 tail = knot + sk.rotation[kChest] * Vec3{0.02f, -0.2f, 0.02f};
    b.limb(knot, tail, 0.04f, 0.032f, scarf, -0.06f);
  }
}

void arms(PuppetBuilder& b) {
  const CharacterLook& look = b.look;
  const float r = look.limbRadius;
  const Paint sleeve = b.shaded(look.top), skin = b.shaded(look.skin);
  const bool longSleeves = look.topStyle != TopStyle::TShirt;
  for (int side = 0; side < 2; ++side) {
    const Vec3 s = b.sk.position[side ? kRightShoulder : kLeftShoulder];
    const Vec3 e = b.sk.position[side ? kRightElbow : kLeftElbow];
    const Vec3 w = b.sk.position[side ? kRightWrist : kLeftWrist];
    // Slightly in front of the torso at the same depth, so a far arm still goes behind it when turned.
    b.limb(s, e, r * 1.05f, r * 0.9f, longSleeves ? sleeve : skin, 0.03f);
    b.limb(e, w, r * 0.92f, r * 0.72f, longSleeves ? sleeve : skin, 0.031f);
    if (longSleeves) {
      b.limb(e + (w - e) * 0.86f, w, r * 0.86f, r * 0.82f, b.shaded(look.topAccent), 0.0315f);
    } else {
      b.limb(s, s + (e - s) * 0.55f, r * 1.22f, r * 1.12f, sleeve, 0.0305f);
    }
  }
}

}  // namespace

void drawBody(PuppetBuilder& b) {
  groundShadow(b);
  stool(b);
  legs(b);
  torso(b);
  arms(b);
}

}  // namespace persona
