#include "skeleton.h"

namespace persona {

namespace {

constexpr float kAnkleHeight = 0.07f;

bool isRightSide(int j) {
  return j == kRightShoulder || j == kRightElbow || j == kRightWrist || j == kRightHip ||
         j == kRightKnee || j == kRightAnkle;
}

Mat3 localRotation(const float* conditioning, int joint) {
  const float* r = conditioning + kJointOffset + joint * 3;
  const float mirror = isRightSide(joint) ? -1.f : 1.f;
  return rotY(r[1] * mirror) * rotX(r[0]) * rotZ(r[2] * mirror);
}

}  // namespace

float standingPelvisHeight(const CharacterLook& look) { return look.thigh + look.shin + kAnkleHeight; }

SkeletonPose solveSkeleton(const CharacterLook& look, const float* c) {
  SkeletonPose s;
  const float spine = look.torsoLength * 0.45f, chest = look.torsoLength * 0.55f;
  struct Bone { int joint, parent; Vec3 offset; };
  // Parents come before children, so one pass resolves the chain.
  const Bone bones[kJointCount] = {
      {kHips, -1, {}},
      {kSpine, kHips, {0, 0.02f, 0}},
      {kChest, kSpine, {0, spine, 0}},
      {kNeck, kChest, {0, chest, 0}},
      {kHead, kNeck, {0, look.neckLength, 0}},
      {kLeftShoulder, kChest, {look.shoulderWidth * 0.5f, chest * 0.82f, 0}},
      {kLeftElbow, kLeftShoulder, {0, -look.upperArm, 0}},
      {kLeftWrist, kLeftElbow, {0, -look.forearm, 0}},
      {kRightShoulder, kChest, {-look.shoulderWidth * 0.5f, chest * 0.82f, 0}},
      {kRightElbow, kRightShoulder, {0, -look.upperArm, 0}},
      {kRightWrist, kRightElbow, {0, -look.forearm, 0}},
      {kLeftHip, kHips, {look.hipWidth * 0.5f, -0.04f, 0}},
      {kLeftKnee, kLeftHip, {0, -look.thigh, 0}},
      {kLeftAnkle, kLeftKnee, {0, -look.shin, 0}},
      {kRightHip, kHips, {-look.hipWidth * 0.5f, -0.04f, 0}},
      {kRightKnee, kRightHip, {0, -look.thigh, 0}},
      {kRightAnkle, kRightKnee, {0, -look.shin, 0}},
  };
  const Mat3 root = rotY(c[kRootOffset + 2]);
  const Vec3 rootPos{c[kRootOffset], standingPelvisHeight(look) + 0.04f + c[kRootOffset + 1], 0};
  for (const Bone& b : bones) {
    if (b.parent < 0) {
      s.position[b.joint] = rootPos;
      s.rotation[b.joint] = root * localRotation(c, b.joint);
    } else {
      s.position[b.joint] = s.position[b.parent] + s.rotation[b.parent] * b.offset;
      s.rotation[b.joint] = s.rotation[b.parent] * localRotation(c, b.joint);
    }
  }
  s.headCenter = s.position[kHead] + s.rotation[kHead] * Vec3{0, look.headRadius * 0.95f, 0};
  const float hand = look.forearm * 0.38f;
  s.leftHandEnd = s.position[kLeftWrist] + s.rotation[kLeftWrist] * Vec3{0, -hand, 0};
  s.rightHandEnd = s.position[kRightWrist] + s.rotation[kRightWrist] * Vec3{0, -hand, 0};
  s.leftToe = s.position[kLeftAnkle] + s.rotation[kLeftAnkle] * Vec3{0, -kAnkleHeight, 0.13f};
  s.rightToe = s.position[kRightAnkle] + s.rotation[kRightAnkle] * Vec3{0, -kAnkleHeight, 0.13f};
  return s;
}

}  // namespace persona
