#include "i420.h"

namespace persona {

namespace {

struct Rgb { int r, g, b; };

inline Rgb over(const uint8_t* p, const uint8_t bg[3]) {
  const int a = p[3];
  return {(p[0] * a + bg[0] * (255 - a) + 127) / 255, (p[1] * a + bg[1] * (255 - a) + 127) / 255,
          (p[2] * a + bg[2] * (255 - a) + 127) / 255};
}

inline uint8_t luma(Rgb c) { return static_cast<uint8_t>(((66 * c.r + 129 * c.g + 25 * c.b + 128) >> 8) + 16); }

}  // namespace

void composeI420(const uint8_t* rgba, int width, int height, const uint8_t background[3], uint8_t* out) {
  uint8_t* yPlane = out;
  uint8_t* uPlane = out + width * height;
  uint8_t* vPlane = uPlane + (width / 2) * (height / 2);
  for (int y = 0; y < height; y += 2) {
    for (int x = 0; x < width; x += 2) {
      int sumR = 0, sumG = 0, sumB = 0;
      for (int dy = 0; dy < 2; ++dy) {
        for (int dx = 0; dx < 2; ++dx) {
          const Rgb c = over(rgba + ((y + dy) * width + (x + dx)) * 4, background);
          yPlane[(y + dy) * width + x + dx] = luma(c);
          sumR += c.r; sumG += c.g; sumB += c.b;
        }
      }
      // Chroma from the 2x2 block's average colour.
      const int r = sumR / 4, g = sumG / 4, b = sumB / 4;
      const int ci = (y / 2) * (width / 2) + x / 2;
      uPlane[ci] = static_cast<uint8_t>(((-38 * r - 74 * g + 112 * b + 128) >> 8) + 128);
      vPlane[ci] = static_cast<uint8_t>(((112 * r - 94 * g - 18 * b + 128) >> 8) + 128);
    }
  }
}

}  // namespace persona
