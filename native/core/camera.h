// The orthographic camera every frame source shares, so the puppet and the control image line up.
#pragma once
#include "character.h"
#include "math3.h"

namespace persona {

// What the frame shows: the whole figure, hips up, or the head.
enum class Shot : int { FullBody = 0, UpperBody = 1, Head = 2 };

struct Framing {
  int width = 512;
  int height = 512;
  Shot shot = Shot::FullBody;
};

// World metres (x right, y up) → pixels (x right, y down); depth is world z, nearer is larger.
struct Camera {
  float scale = 1, originX = 0, originY = 0;  // pixel position of the world origin (the ground under the root)
  float x(const Vec3& p) const { return originX + p.x * scale; }
  float y(const Vec3& p) const { return originY - p.y * scale; }
};

// The full-body shot stays put (sitting drops the figure in frame); the closer shots follow the
// root's height so the face stays in frame when the character sits.
Camera frameCamera(const CharacterLook& look, const Framing& framing, float rootY);

}  // namespace persona
