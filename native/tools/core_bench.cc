// Times the puppet core alone (display list + rasterizer) on one thread, without Node, and prints
// min and median ms per frame. The minimum is what a quiet machine gives; on a busy shared machine
// it is steadier than the median. Usage: persona_core_bench [size=512] [frames=200]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include "../core/frame_renderer.h"

using namespace persona;

int main(int argc, char** argv) {
  const int size = argc > 1 ? std::atoi(argv[1]) : 512;
  const int frames = argc > 2 ? std::atoi(argv[2]) : 200;
  CharacterLook look;
  Framing framing;
  framing.width = framing.height = size;
  std::vector<uint8_t> pixels(static_cast<size_t>(size) * size * 4);
  std::vector<float> c(kConditioningLength, 0.f);
  FrameRenderer renderer;
  std::vector<double> ms;
  for (int i = 0; i < frames + 10; ++i) {
    // The bench's waving, smiling sequence (bench/run.ts).
    c[kJointOffset + kRightShoulder * 3 + 2] = 0.2f + 2.4f * std::fabs(std::sin(i / 15.f));
    c[kExpressionOffset + kHappy] = (i % 30) / 30.f;
    const auto t0 = std::chrono::steady_clock::now();
    renderer.render(SourceKind::Puppet, look, c.data(), framing, pixels.data());
    const double t = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (i >= 10) ms.push_back(t);
  }
  std::sort(ms.begin(), ms.end());
  std::printf("%dx%d: min %.3f ms, p50 %.3f ms over %d frames\n", size, size, ms.front(), ms[ms.size() / 2], frames);
  return 0;
}
