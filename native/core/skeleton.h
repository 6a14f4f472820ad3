// Forward kinematics: local joint rotations (the conditioning) to world-space joint positions.
//
// World axes: x to the viewer's right, y up, z toward the viewer; at root yaw 0 the character
// faces the viewer, so its left side is at +x. Each joint's local rotation is
// Ry(yaw) * Rx(pitch) * Rz(roll); on right-side joints yaw and roll are mirrored so that the same
// numbers mean the same movement on both sides (roll > 0 lifts a limb outward).
#pragma once
#include "character.h"
#include "conditioning.h"
#include "math3.h"

namespace persona {

struct SkeletonPose {
  Vec3 position[kJointCount];  // where each joint sits
  Mat3 rotation[kJointCount];  // world rotation of the bone that starts at the joint
  Vec3 headCenter;
  Vec3 leftHandEnd, rightHandEnd, leftToe, rightToe;
};

// Reads rootX/rootY/rootYaw and joint rotations from `conditioning` (kConditioningLength floats).
SkeletonPose solveSkeleton(const CharacterLook& look, const float* conditioning);

// Height of the hip joint above the ground when standing straight.
float standingPelvisHeight(const CharacterLook& look);

}  // namespace persona
