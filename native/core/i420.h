// Straight-alpha RGBA composed over a solid background, converted to I420 (BT.601, limited range)
// for video encoders, which carry no alpha.
#pragma once
#include <cstdint>

namespace persona {

// `out` holds width*height luma bytes, then the U and V planes at half resolution each
// (width and height must be even): width*height*3/2 bytes in all.
void composeI420(const uint8_t* rgba, int width, int height, const uint8_t background[3], uint8_t* out);

}  // namespace persona
