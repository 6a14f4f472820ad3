// The conditioning vector's layout: what JS packs each tick and the frame sources read.
// Must match protocol/conditioning.ts; the binding exports these numbers and a test compares them.
#pragma once

namespace persona {

enum Joint : int {
  kHips, kSpine, kChest, kNeck, kHead,
  kLeftShoulder, kLeftElbow, kLeftWrist,
  kRightShoulder, kRightElbow, kRightWrist,
  kLeftHip, kLeftKnee, kLeftAnkle,
  kRightHip, kRightKnee, kRightAnkle,
  kJointCount
};

enum ExpressionChannel : int {
  kHappy, kAngry, kSad, kRelaxed, kSurprised,
  kVisemeAa, kVisemeIh, kVisemeOu, kVisemeEe, kVisemeOh,
  kBlinkLeft, kBlinkRight, kLookX, kLookY,
  kExpressionCount
};

constexpr int kRootOffset = 0;                                  // rootX, rootY, rootYaw
constexpr int kJointOffset = 3;                                 // pitch, yaw, roll per joint
constexpr int kExpressionOffset = kJointOffset + kJointCount * 3;
constexpr int kTimeOffset = kExpressionOffset + kExpressionCount;  // seconds, for secondary motion
constexpr int kConditioningLength = kTimeOffset + 1;

}  // namespace persona
