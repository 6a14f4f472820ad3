#include "openpose.h"
#include <algorithm>
#include <cmath>

namespace persona {

const int kOpenPoseLimbs[17][2] = {{2, 3}, {2, 6},  {3, 4},   {4, 5},   {6, 7},   {7, 8},   {2, 9},   {9, 10}, {10, 11},
                                   {2, 12}, {12, 13}, {13, 14}, {2, 1}, {1, 15}, {15, 17}, {1, 16}, {16, 18}};

const unsigned char kOpenPoseColours[18][3] = {
    {255, 0, 0},   {255, 85, 0},  {255, 170, 0}, {255, 255, 0}, {170, 255, 0}, {85, 255, 0},
    {0, 255, 0},   {0, 255, 85},  {0, 255, 170}, {0, 255, 255}, {0, 170, 255}, {0, 85, 255},
    {0, 0, 255},   {85, 0, 255},  {170, 0, 255}, {255, 0, 255}, {255, 0, 170}, {255, 0, 85}};

namespace {

// A point on the head sphere along a local direction, with how much its normal faces the viewer.
Vec3 onHead(const CharacterLook& look, const SkeletonPose& sk, Vec3 dir, float& facing) {
  const float n = length(dir);
  const Vec3 d = sk.rotation[kHead] * (dir * (1.f / n));
  facing = d.z;
  return sk.headCenter + d * look.headRadius;
}

}  // namespace

void openPoseKeypoints(const CharacterLook& look, const SkeletonPose& sk, const Camera& cam, Keypoint out[kOpenPoseKeypointCount]) {
  const int body[] = {-1, -1, kRightShoulder, kRightElbow, kRightWrist, kLeftShoulder, kLeftElbow, kLeftWrist,
                      kRightHip, kRightKnee, kRightAnkle, kLeftHip, kLeftKnee, kLeftAnkle};
  for (int i = 2; i < 14; ++i) {
    out[i].world = sk.position[body[i]];
    out[i].visible = true;
  }
  // COCO's neck is the midpoint of the shoulders.
  out[1].world = (sk.position[kLeftShoulder] + sk.position[kRightShoulder]) * 0.5f;
  out[1].visible = true;
  // Face points sit where the puppet draws them (the character's right is local -x).
  float facing;
  out[0].world = onHead(look, sk, {0, -0.44f, 0.9f}, facing);
  out[0].visible = facing > 0.05f;
  out[14].world = onHead(look, sk, {-0.45f, -0.24f, 0.86f}, facing);
  out[14].visible = facing > 0.05f;
  out[15].world = onHead(look, sk, {0.45f, -0.24f, 0.86f}, facing);
  out[15].visible = facing > 0.05f;
  out[16].world = onHead(look, sk, {-1.f, -0.12f, -0.05f}, facing);
  out[16].visible = facing > -0.35f;
  out[17].world = onHead(look, sk, {1.f, -0.12f, -0.05f}, facing);
  out[17].visible = facing > -0.35f;
  for (int i = 0; i < kOpenPoseKeypointCount; ++i) {
    out[i].x = cam.x(out[i].world);
    out[i].y = cam.y(out[i].world);
  }
}

void buildControl(const CharacterLook& look, const float* conditioning, const Framing& framing, DisplayList& out) {
  out.clear();
  const SkeletonPose sk = solveSkeleton(look, conditioning);
  const Camera cam = frameCamera(look, framing, conditioning[kRootOffset + 1]);
  Keypoint k[kOpenPoseKeypointCount];
  openPoseKeypoints(look, sk, cam, k);
  auto flat = [](const unsigned char* c, float scale) {
    Paint p;
    p.fill = {c[0] / 255.f * scale, c[1] / 255.f * scale, c[2] / 255.f * scale, 1};
    p.shaded = false;
    return p;
  };
  const float w = static_cast<float>(framing.width), h = static_cast<float>(framing.height);
  const float frame[8] = {-2, -2, w + 2, -2, w + 2, h + 2, -2, h + 2};
  const unsigned char black[3] = {0, 0, 0};
  out.polygon(frame, 4, flat(black, 1), 0);
  // The reference draws with a 4 px stick and 4 px joints on a 512 px image; keep that proportion.
  const float unit = std::min(w, h) / 512.f;
  const float stick = 4.f * unit, joint = 4.f * unit;
  for (int i = 0; i < 17; ++i) {
    const Keypoint& a = k[kOpenPoseLimbs[i][0] - 1];
    const Keypoint& b = k[kOpenPoseLimbs[i][1] - 1];
    if (!a.visible || !b.visible) continue;
    const float dx = b.x - a.x, dy = b.y - a.y;
    out.ellipse((a.x + b.x) * 0.5f, (a.y + b.y) * 0.5f, std::max(stick, std::hypot(dx, dy) * 0.5f), stick, std::atan2(dy, dx),
                flat(kOpenPoseColours[i], 0.6f), 1);
  }
  for (int i = 0; i < kOpenPoseKeypointCount; ++i)
    if (k[i].visible) out.ellipse(k[i].x, k[i].y, joint, joint, 0, flat(kOpenPoseColours[i], 1), 2);
  out.sortByDepth();
}

}  // namespace persona
