// The face: eyes, brows, nose, mouth, blush, tear and sweat, all from the expression channels.
// Every feature changes continuously with its weights (sizes, curves, alphas), so a face eases
// from one expression to the next without a pop; features fade out as the head turns away.
#include "puppet_builder.h"

namespace persona {

namespace {

struct FaceWeights {
  float happy, angry, sad, relaxed, surprised, aa, ih, ou, ee, oh, blush, tear, sweat, browRaise, squint;
};

FaceWeights weights(const PuppetBuilder& b) {
  return {b.expr(kHappy), b.expr(kAngry),     b.expr(kSad),  b.expr(kRelaxed), b.expr(kSurprised),
          b.expr(kVisemeAa), b.expr(kVisemeIh), b.expr(kVisemeOu), b.expr(kVisemeEe), b.expr(kVisemeOh),
          b.expr(kBlush), b.expr(kTear), b.expr(kSweat), b.expr(kBrowRaise), b.expr(kSquint)};
}

// A polyline of capsules: an arc or a lid line.
void stroke(PuppetBuilder& b, const float* xy, int n, float width, const Paint& p, float depth) {
  for (int i = 0; i + 1 < n; ++i)
    b.out.capsule(xy[i * 2], xy[i * 2 + 1], xy[i * 2 + 2], xy[i * 2 + 3], width, width, p, depth);
}

void eyes(PuppetBuilder& b, const FaceWeights& f, float tilt) {
  const float R = b.look.headRadius, unit = b.px(R);
  const float ct = std::cos(tilt), st = std::sin(tilt);
  const float lookX = std::max(-1.f, std::min(1.f, b.cond[kExpressionOffset + kLookX]));
  const float lookY = std::max(-1.f, std::min(1.f, b.cond[kExpressionOffset + kLookY]));
  const Rgba ink = b.look.outline;
  for (int side = -1; side <= 1; side += 2) {  // -1: the character's right eye (viewer's left)
    Vec3 at;
    const float facing = b.onHead(side * 0.45f, -0.24f, 0.86f, at);
    const float show = smooth01(0.12f, 0.32f, facing);
    if (show <= 0.01f) continue;
    const float depth = b.sk.headCenter.z + facing * b.look.headRadius + 0.002f;
    const float squash = std::min(1.f, facing * 1.15f);
    const float blink = b.expr(side < 0 ? kBlinkRight : kBlinkLeft);
    // How open: blinks and smiles close it, squint narrows it, surprise widens it.
    const float open = clamp01((1.f - blink) * (1.f - 0.85f * f.happy) * (1.f - 0.45f * f.squint - 0.2f * f.angry - 0.15f * f.relaxed) *
                               (1.f + 0.25f * f.surprised));
    const float size = b.look.eyeSize;
    const float w = 0.22f * unit * squash * size, h = 0.28f * unit * size;
    const float ex = b.cam.x(at), ey = b.cam.y(at);
    auto rot = [&](float lx, float ly, float& x, float& y) { x = ex + lx * ct - ly * st; y = ey + lx * st + ly * ct; };
    const float eyeAlpha = show * smooth01(0.12f, 0.3f, open);
    if (eyeAlpha > 0.01f) {
      const float eh = h * std::max(open, 0.12f);
      const float cy = (h - eh) * 0.35f;  // the lid closes from the top
      float x, y;
      rot(0, cy, x, y);
      b.out.ellipse(x, y, w, eh, tilt, b.flatOutlined(withAlpha({1, 1, 1, 1}, eyeAlpha), 0.7f), depth);
      const float pupilScale = 1.f - 0.35f * f.surprised;
      float ix, iy;
      rot(lookX * w * 0.35f, cy - lookY * eh * 0.25f + eh * 0.08f, ix, iy);
      const float ir = std::min(w * 0.78f, eh * 0.95f);
      b.out.ellipse(ix, iy, ir * 0.92f, std::min(eh * 0.92f, ir * 1.15f), tilt, b.flat(withAlpha(b.look.eyes, eyeAlpha)), depth + 0.0001f);
      b.out.ellipse(ix, iy + ir * 0.25f, ir * 0.6f, std::min(eh * 0.6f, ir * 0.6f), tilt,
                    b.flat(withAlpha(mix(b.look.eyes, {1, 1, 1, 1}, 0.3f), eyeAlpha * 0.7f)), depth + 0.0002f);
      b.out.ellipse(ix, iy, ir * 0.45f * pupilScale, std::min(eh * 0.6f, ir * 0.6f) * pupilScale, tilt,
                    b.flat(withAlpha(darker(b.look.eyes, 0.25f), eyeAlpha)), depth + 0.0003f);
      rot(lookX * w * 0.35f - ir * 0.35f, cy - lookY * eh * 0.25f - ir * 0.3f, x, y);
      b.out.ellipse(x, y, ir * 0.28f, ir * 0.28f, 0, b.flat(withAlpha({1, 1, 1, 1}, eyeAlpha)), depth + 0.0004f);
      rot(lookX * w * 0.35f + ir * 0.3f, cy - lookY * eh * 0.25f + ir * 0.35f, x, y);
      b.out.ellipse(x, y, ir * 0.12f, ir * 0.12f, 0, b.flat(withAlpha({1, 1, 1, 1}, eyeAlpha * 0.8f)), depth + 0.0004f);
      // The upper lid: a thick lash line that lowers with the lid; the outer end flicks out.
      float lid[8];
      const float top = cy - eh;
      rot(-w * 1.08f * side, top + eh * 0.35f, lid[0], lid[1]);
      rot(-w * 0.3f * side, top - eh * 0.02f, lid[2], lid[3]);
      rot(w * 0.55f * side, top + eh * 0.05f, lid[4], lid[5]);
      rot(w * 1.2f * side, top + eh * 0.1f - 0.04f * unit, lid[6], lid[7]);
      stroke(b, lid, 4, 0.055f * unit * size, b.flat(withAlpha(ink, eyeAlpha)), depth + 0.0005f);
    }
    // Closed or smiling eyes: an arc, bowed up for a smile (^), down for a plain blink; fades in as the eye shuts.
    const float arcAlpha = show * (1.f - smooth01(0.12f, 0.3f, open));
    if (arcAlpha > 0.01f) {
      const float bow = (0.05f - 0.2f * smooth01(0.2f, 0.6f, f.happy)) * unit;
      float arc[10];
      for (int i = 0; i < 5; ++i) {
        const float t = -1.f + i * 0.5f;
        rot(t * w * 1.05f, bow * (1 - t * t) + h * 0.15f, arc[i * 2], arc[i * 2 + 1]);
      }
      stroke(b, arc, 5, 0.05f * unit, b.flat(withAlpha(ink, arcAlpha)), depth + 0.0005f);
    }
    // Brows: lift with surprise and browRaise, inner ends drop when angry and rise when sad.
    const float lift = (0.2f * f.surprised + 0.14f * f.browRaise - 0.07f * f.angry + 0.03f * f.sad) * unit;
    const float innerDrop = (0.13f * f.angry - 0.12f * f.sad) * unit;
    float brow[6];
    const float by = -h - 0.1f * unit - lift;
    rot(-w * 1.0f * side, by + innerDrop, brow[0], brow[1]);
    rot(0, by - 0.035f * unit + innerDrop * 0.3f, brow[2], brow[3]);
    rot(w * 1.1f * side, by + 0.02f * unit - innerDrop * 0.4f, brow[4], brow[5]);
    stroke(b, brow, 3, 0.045f * unit, b.flat(withAlpha(darker(b.look.hair, 0.7f), show)), depth + 0.0006f);
    // Blush under the eye: a soft pink patch with three light strokes.
    const float blush = std::max(f.blush, 0.45f * f.happy);
    if (blush > 0.01f) {
      float x, y;
      rot(w * 0.25f * side, h * 0.95f + 0.05f * unit, x, y);
      b.out.ellipse(x, y, w * 1.05f, 0.1f * unit, tilt, b.flat({1.f, 0.42f, 0.5f, 0.5f * blush * show}), depth + 0.0001f);
      for (int i = -1; i <= 1; ++i) {
        float x0, y0, x1, y1;
        rot(w * 0.25f * side + i * w * 0.45f + 0.04f * unit, h * 0.95f + 0.01f * unit, x0, y0);
        rot(w * 0.25f * side + i * w * 0.45f - 0.02f * unit, h * 0.95f + 0.1f * unit, x1, y1);
        b.out.capsule(x0, y0, x1, y1, 0.012f * unit, 0.012f * unit, b.flat({0.9f, 0.3f, 0.38f, 0.6f * f.blush * show}), depth + 0.0002f);
      }
    }
    // A tear: welling at the lower lid, then a drop down the cheek as the weight grows.
    if (f.tear > 0.01f) {
      const Rgba water{0.55f, 0.8f, 1.f, 0.9f * show};
      float x, y, x1, y1;
      rot(w * 0.55f * side, h * 0.5f, x, y);
      rot(w * 0.7f * side, h * 0.5f + (0.1f + 0.45f * f.tear) * unit, x1, y1);
      Paint stream = b.flat(withAlpha(water, 0.55f * f.tear));
      b.out.capsule(x, y, x1, y1, 0.03f * unit * f.tear, 0.04f * unit * f.tear, stream, depth + 0.0007f);
      b.out.ellipse(x1, y1, 0.05f * unit * f.tear + 0.5f, 0.07f * unit * f.tear + 0.5f, tilt, b.flatOutlined(withAlpha(water, f.tear), 0.5f),
                    depth + 0.0008f);
    }
  }
}

void nose(PuppetBuilder& b, float tilt) {
  // The bridge: a small outlined bump just outside the skull, drawn behind it, so it shows only
  // where it sticks out past the head's outline: in profile, a nose; from the front, nothing.
  Vec3 tip;
  b.onHead(0, -0.4f, 0.92f, tip, 1.04f);
  b.out.ellipse(b.cam.x(tip), b.cam.y(tip), b.px(0.1f * b.look.headRadius), b.px(0.1f * b.look.headRadius), 0,
                b.shaded(b.look.skin, 1.f, 0.55f), b.sk.headCenter.z - 0.0001f);
  Vec3 at;
  const float facing = b.onHead(0, -0.44f, 0.9f, at);
  const float show = smooth01(-0.3f, 0.1f, facing) * (1.f - smooth01(0.3f, 0.6f, -facing));
  if (show <= 0.01f) return;
  const float unit = b.px(b.look.headRadius);
  // A small shadow tick on the side away from the light.
  const float x = b.cam.x(at), y = b.cam.y(at);
  const float ct = std::cos(tilt), st = std::sin(tilt);
  b.out.capsule(x + 0.02f * unit * ct, y + 0.02f * unit * st, x + 0.05f * unit * ct - 0.05f * unit * st, y + 0.05f * unit * st + 0.05f * unit * ct,
                0.018f * unit, 0.014f * unit, b.flat(withAlpha(darker(b.look.skin, 0.7f), show)),
                b.sk.headCenter.z + facing * b.look.headRadius + 0.002f);
}

void mouth(PuppetBuilder& b, const FaceWeights& f, float tilt) {
  Vec3 at;
  const float facing = b.onHead(0, -0.62f, 0.78f, at);
  const float show = smooth01(0.1f, 0.3f, facing);
  if (show <= 0.01f) return;
  const float unit = b.px(b.look.headRadius);
  const float depth = b.sk.headCenter.z + facing * b.look.headRadius + 0.003f;
  const float squash = std::min(1.f, facing * 1.15f);
  // Shape parameters blended from every weight: opening, width, roundness and the smile curve.
  const float open = clamp01(0.32f * f.aa + 0.12f * f.ih + 0.16f * f.ou + 0.1f * f.ee + 0.24f * f.oh + 0.2f * f.surprised +
                             0.06f * f.happy * (1 - f.sad));
  const float width = (0.2f + 0.06f * f.happy + 0.08f * f.ee + 0.05f * f.ih + 0.03f * f.aa - 0.1f * f.ou - 0.07f * f.oh -
                       0.06f * f.surprised - 0.03f * f.sad) * unit * squash;
  const float smile = clamp01(f.happy + 0.4f * f.relaxed) - f.sad - 0.7f * f.angry;
  const float ct = std::cos(tilt), st = std::sin(tilt);
  const float mx = b.cam.x(at), my = b.cam.y(at);
  auto rot = [&](float lx, float ly, float& x, float& y) { x = mx + lx * ct - ly * st; y = my + lx * st + ly * ct; };
  const float hw = std::max(0.04f * unit, width);
  const float bend = 0.15f * unit * smile;    // corners up (smile) or down (frown)
  const float openPx = open * unit * 0.9f;    // lower lip drop
  // Upper lip: corners lifted by the smile; lower lip: drops by the opening, rounded by ou/oh.
  constexpr int kN = 7;
  float upper[kN * 2], lower[kN * 2];
  for (int i = 0; i < kN; ++i) {
    const float t = -1.f + 2.f * i / (kN - 1);
    const float at = std::fabs(t);
    const float curve = -bend * at * std::sqrt(at);  // smile lifts the corners, a frown drops them: a rounded arch
    rot(t * hw, curve + bend * 0.3f - openPx * 0.15f * (1 - t * t), upper[i * 2], upper[i * 2 + 1]);
    rot(t * hw, curve + bend * 0.3f + openPx * std::sqrt(std::max(0.f, 1 - t * t)), lower[i * 2], lower[i * 2 + 1]);
  }
  const float openAlpha = show * smooth01(0.02f, 0.08f, open);
  if (openAlpha > 0.01f) {
    float poly[kN * 4];
    for (int i = 0; i < kN; ++i) { poly[i * 2] = upper[i * 2]; poly[i * 2 + 1] = upper[i * 2 + 1]; }
    for (int i = 0; i < kN; ++i) { poly[kN * 2 + i * 2] = lower[(kN - 1 - i) * 2]; poly[kN * 2 + i * 2 + 1] = lower[(kN - 1 - i) * 2 + 1]; }
    b.out.polygon(poly, kN * 2, b.flatOutlined(withAlpha({0.45f, 0.12f, 0.16f, 1}, openAlpha), 0.8f), depth);
    // Tongue low in the mouth, teeth along the top for ee/ih and wide smiles.
    float tx, ty;
    rot(0, bend * 0.3f - bend + openPx * 0.75f, tx, ty);
    b.out.ellipse(tx, ty, hw * 0.55f, std::max(0.5f, openPx * 0.3f), tilt, b.flat(withAlpha({0.93f, 0.47f, 0.5f, 1}, openAlpha)),
                  depth + 0.0001f);
    const float teeth = clamp01(f.ee + f.ih + 0.6f * f.happy) * openAlpha;
    if (teeth > 0.01f) {
      float t0x, t0y, t1x, t1y;
      rot(-hw * 0.6f, bend * 0.3f - bend * 0.36f + openPx * 0.05f, t0x, t0y);
      rot(hw * 0.6f, bend * 0.3f - bend * 0.36f + openPx * 0.05f, t1x, t1y);
      const float th = std::min(openPx * 0.22f, 0.06f * unit);
      b.out.capsule(t0x, t0y, t1x, t1y, th, th, b.flat({1, 1, 1, teeth}), depth + 0.0002f);
    }
  }
  // The lip line, always drawn; it thins as the mouth opens so the opening's outline takes over.
  const float lineAlpha = show * (1.f - 0.7f * smooth01(0.02f, 0.08f, open));
  stroke(b, upper, kN, 0.035f * unit, b.flat(withAlpha(b.look.outline, lineAlpha)), depth + 0.0003f);
}

// A sweat drop on the temple: a drop shape with a highlight.
void sweat(PuppetBuilder& b, const FaceWeights& f) {
  if (f.sweat <= 0.01f) return;
  Vec3 at;
  const float facing = b.onHead(0.75f, 0.45f, 0.55f, at, 1.08f);
  const float show = smooth01(-0.1f, 0.2f, facing) * f.sweat;
  if (show <= 0.01f) return;
  const float unit = b.px(b.look.headRadius);
  const float x = b.cam.x(at), y = b.cam.y(at);
  const float s = 0.16f * unit * (0.6f + 0.4f * f.sweat);
  const float drop[10] = {x, y - s * 1.6f, x + s * 0.6f, y - s * 0.2f, x + s * 0.55f, y + s * 0.5f,
                          x - s * 0.55f, y + s * 0.5f, x - s * 0.6f, y - s * 0.2f};
  const float depth = b.sk.headCenter.z + b.look.headRadius * 1.1f;
  b.out.polygon(drop, 5, b.flatOutlined({0.6f, 0.85f, 1.f, show}, 0.7f), depth);
  b.out.ellipse(x, y + s * 0.35f, s * 0.6f, s * 0.45f, 0, b.flat({0.6f, 0.85f, 1.f, show}), depth + 0.0001f);
  b.out.ellipse(x - s * 0.2f, y, s * 0.14f, s * 0.22f, 0, b.flat({1, 1, 1, show}), depth + 0.0002f);
}

void glasses(PuppetBuilder& b) {
  if (b.look.accessory != Accessory::Glasses) return;
  const float unit = b.px(b.look.headRadius);
  Vec3 eye[2];
  float facing[2];
  for (int i = 0; i < 2; ++i) facing[i] = b.onHead((i ? 1 : -1) * 0.45f, -0.24f, 0.86f, eye[i], 1.06f);
  const float show = smooth01(0.0f, 0.25f, std::min(facing[0], facing[1]));
  if (show <= 0.01f) return;
  const float depth = b.sk.headCenter.z + b.look.headRadius * 1.2f;
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

void drawFace(PuppetBuilder& b) {
  const FaceWeights f = weights(b);
  const float tilt = b.headTilt();
  eyes(b, f, tilt);
  nose(b, tilt);
  mouth(b, f, tilt);
  sweat(b, f);
  glasses(b);
}

}  // namespace persona
