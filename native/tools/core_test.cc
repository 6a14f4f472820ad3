// Pure C++ checks of the core (no Node): forward kinematics keeps bone lengths, keypoints hide
// the face from behind, the rasterizer's coverage is right, and the same input gives the same bytes.
// Run by CTest (`ctest --test-dir build`) and by native/__tests__/core-ctest.test.ts.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <vector>
#include "../core/frame_renderer.h"

using namespace persona;

namespace {

int failures = 0;

void check(bool ok, const char* what, double got = 0, double want = 0) {
  if (ok) return;
  ++failures;
  std::printf("FAIL %s (got %g, want %g)\n", what, got, want);
}

float distance(const Vec3& a, const Vec3& b) { return length(a - b); }

void boneLengthsStayConstant() {
  CharacterLook look;
  std::mt19937 rng(1234);
  std::uniform_real_distribution<float> angle(-3.1416f, 3.1416f);
  std::vector<float> c(kConditioningLength, 0.f);
  float worst = 0;
  for (int n = 0; n < 10000; ++n) {
    for (int j = 0; j < kJointCount * 3; ++j) c[kJointOffset + j] = angle(rng);
    c[kRootOffset + 2] = angle(rng);
    const SkeletonPose sk = solveSkeleton(look, c.data());
    const float bones[][3] = {{static_cast<float>(kLeftShoulder), static_cast<float>(kLeftElbow), look.upperArm},
                              {static_cast<float>(kRightElbow), static_cast<float>(kRightWrist), look.forearm},
                              {static_cast<float>(kLeftHip), static_cast<float>(kLeftKnee), look.thigh},
                              {static_cast<float>(kRightKnee), static_cast<float>(kRightAnkle), look.shin}};
    for (const auto& b : bones) {
      const float got = distance(sk.position[static_cast<int>(b[0])], sk.position[static_cast<int>(b[1])]);
      worst = std::fmax(worst, std::fabs(got / b[2] - 1.f));
    }
  }
  check(worst < 1e-3f, "bone length drift over 10,000 random poses", worst, 1e-3);
}

void faceHidesFromBehind() {
  CharacterLook look;
  std::vector<float> c(kConditioningLength, 0.f);
  Framing framing;
  Keypoint k[kOpenPoseKeypointCount];
  c[kRootOffset + 2] = 3.14159265f;
  openPoseKeypoints(look, solveSkeleton(look, c.data()), frameCamera(look, framing, 0), k);
  check(!k[0].visible && !k[14].visible && !k[15].visible, "nose and eyes hidden at yaw 180");
  c[kRootOffset + 2] = 0;
  openPoseKeypoints(look, solveSkeleton(look, c.data()), frameCamera(look, framing, 0), k);
  check(k[0].visible && k[14].visible && k[15].visible, "nose and eyes visible at yaw 0");
}

void rasterCoverage() {
  DisplayList list;
  Paint p;
  p.fill = {1, 0, 0, 1};
  p.shaded = false;
  list.ellipse(32.5f, 32.5f, 10, 10, 0, p, 0);  // centred on pixel (32, 32)
  std::vector<uint8_t> px(64 * 64 * 4, 7);  // garbage: every byte must be written
  Rasterizer r;
  r.draw(list, 64, 64, px.data());
  auto alpha = [&](int x, int y) { return px[(y * 64 + x) * 4 + 3]; };
  check(alpha(32, 32) == 255, "opaque at the centre", alpha(32, 32), 255);
  check(alpha(0, 0) == 0 && px[0] == 0, "transparent and zeroed far away", alpha(0, 0), 0);
  check(px[(32 * 64 + 32) * 4] == 255 && px[(32 * 64 + 32) * 4 + 1] == 0, "straight red inside");
  // Pixel (42, 32) has its centre exactly on the edge: half covered.
  check(alpha(42, 32) >= 126 && alpha(42, 32) <= 129, "half coverage on the edge", alpha(42, 32), 128);
  check(alpha(43, 32) == 0, "nothing a pixel beyond the edge", alpha(43, 32), 0);
  // Straight alpha: a half-covered red pixel is still pure red, not darkened.
  check(px[(32 * 64 + 42) * 4] == 255, "edge colour not premultiplied", px[(32 * 64 + 42) * 4], 255);
}

void sameInputSameBytes() {
  CharacterLook look;
  Framing framing;
  framing.width = framing.height = 256;
  std::vector<float> c(kConditioningLength, 0.f);
  c[kJointOffset + kRightShoulder * 3 + 2] = 2.5f;
  c[kExpressionOffset + kHappy] = 0.7f;
  std::vector<uint8_t> a(256 * 256 * 4), b(256 * 256 * 4);
  FrameRenderer one, two;
  one.render(SourceKind::Puppet, look, c.data(), framing, a.data());
  two.render(SourceKind::Control, look, c.data(), framing, b.data());  // dirty the second renderer's scratch
  two.render(SourceKind::Puppet, look, c.data(), framing, b.data());
  check(std::memcmp(a.data(), b.data(), a.size()) == 0, "same conditioning, same bytes");
}

}  // namespace

int main() {
  boneLengthsStayConstant();
  faceHidesFromBehind();
  rasterCoverage();
  sameInputSameBytes();
  std::printf(failures ? "%d check(s) failed\n" : "all core checks passed\n", failures);
  return failures ? 1 : 0;
}
