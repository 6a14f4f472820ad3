#include "puppet.h"
#include "puppet_builder.h"

namespace persona {

void buildPuppet(const CharacterLook& look, const float* conditioning, const Framing& framing, DisplayList& out) {
  out.clear();
  const SkeletonPose sk = solveSkeleton(look, conditioning);
  const Camera cam = frameCamera(look, framing, conditioning[kRootOffset + 1]);
  // Ink grows slower than the figure, so close-ups keep a fine line.
  PuppetBuilder b{look, conditioning, sk, cam, out, std::max(1.f, 1.1f + cam.scale * 0.0025f)};
  drawBody(b);
  drawHands(b);
  drawHead(b);
  drawFace(b);
  out.sortByDepth();
}

float puppetMouthParted(const CharacterLook& look, const float* conditioning, const Framing& framing) {
  DisplayList unused;
  const SkeletonPose sk = solveSkeleton(look, conditioning);
  const Camera cam = frameCamera(look, framing, conditioning[kRootOffset + 1]);
  const PuppetBuilder b{look, conditioning, sk, cam, unused, 1.f};
  return mouthParted(b);
}

}  // namespace persona
