// OpenPose BODY-18 (COCO order) from the skeleton: keypoints by forward kinematics and the same
// camera as the puppet, and the `control` image's display list in the standard OpenPose colours.
#pragma once
#include "camera.h"
#include "character.h"
#include "display_list.h"
#include "skeleton.h"

namespace persona {

// nose, neck, r shoulder, r elbow, r wrist, l shoulder, l elbow, l wrist, r hip, r knee, r ankle,
// l hip, l knee, l ankle, r eye, l eye, r ear, l ear ("right" is the character's right).
constexpr int kOpenPoseKeypointCount = 18;

struct Keypoint {
  Vec3 world;        // metres
  float x = 0, y = 0;  // pixels
  bool visible = false;  // face points hide when they face away, as a detector would miss them
};

void openPoseKeypoints(const CharacterLook& look, const SkeletonPose& sk, const Camera& cam, Keypoint out[kOpenPoseKeypointCount]);

// Limbs (1-based keypoint pairs, as in the OpenPose reference) and colours (RGB 0..255).
extern const int kOpenPoseLimbs[17][2];
extern const unsigned char kOpenPoseColours[18][3];

// Black background, limbs as ellipses at 60 % of their colour, joints as full-colour discs on top.
void buildControl(const CharacterLook& look, const float* conditioning, const Framing& framing, DisplayList& out);

}  // namespace persona
