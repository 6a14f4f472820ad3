#include "camera.h"
#include <algorithm>
#include "skeleton.h"

namespace persona {

Camera frameCamera(const CharacterLook& look, const Framing& f, float rootY) {
  const float w = static_cast<float>(f.width), h = static_cast<float>(f.height);
  const float pelvis = standingPelvisHeight(look) + 0.04f;
  const float headTop = pelvis + look.torsoLength + look.neckLength + look.headRadius * 2.15f;
  Camera cam;
  cam.originX = w * 0.5f;
  switch (f.shot) {
    case Shot::FullBody: {
      const float figure = headTop + look.headRadius * 0.25f;
      cam.scale = std::min(h * 0.8f / figure, w * 1.05f / figure);
      cam.originY = h * 0.95f;
      break;
    }
    case Shot::UpperBody: {
      // Room above the skull for hair, spikes and hats.
      const float bottom = pelvis - 0.08f + rootY, top = headTop + rootY + look.headRadius * 1.1f;
      cam.scale = std::min(h / (top - bottom), w * 1.1f / (top - bottom));
      cam.originY = h * 0.5f + (bottom + top) * 0.5f * cam.scale;
      break;
    }
    case Shot::Head: {
      const float centre = headTop + rootY - look.headRadius * 1.05f;
      const float span = look.headRadius * 3.2f;
      cam.scale = std::min(h, w) / span;
      cam.originY = h * 0.52f + centre * cam.scale;
      break;
    }
  }
  return cam;
}

}  // namespace persona
