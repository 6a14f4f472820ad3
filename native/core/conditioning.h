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

// Same order as EXPRESSION_CHANNELS in protocol/conditioning.ts (k + the name; visemes as kViseme + name);
// native/__tests__/conditioning-names.test.ts matches the two lists by name.
enum ExpressionChannel : int {
  kHappy, kAngry, kSad, kRelaxed, kSurprised,
  kVisemeAa, kVisemeIh, kVisemeOu, kVisemeEe, kVisemeOh, kVisemeMbp, kVisemeFv,
  kBlinkLeft, kBlinkRight, kLookX, kLookY,
  kBlush, kTear, kSweat, kBrowRaise, kSquint,
  kFear, kDisgust, kLidDroop, kBrowTilt, kMouthSide, kMouthWave, kGlanceX, kGlanceY,
  kExpressionCount
};

// Per hand (left, then right): fingers curled, index pointing, thumb up; each 0..1.
enum HandChannel : int { kHandCurl, kHandPoint, kHandThumb, kHandChannelsPerHand };
constexpr int kHandChannelCount = kHandChannelsPerHand * 2;

constexpr int kRootOffset = 0;                                  // rootX, rootY, rootYaw
constexpr int kJointOffset = 3;                                 // pitch, yaw, roll per joint
constexpr int kExpressionOffset = kJointOffset + kJointCount * 3;
constexpr int kHandOffset = kExpressionOffset + kExpressionCount;
constexpr int kTimeOffset = kHandOffset + kHandChannelCount;  // seconds, for secondary motion
constexpr int kConditioningLength = kTimeOffset + 1;

}  // namespace persona
