// What a frame source needs to know about a character's look: proportions, palette, hair, outfit.
// Parsed on the JS thread from the character definition, then read-only on worker threads.
// protocol/look.ts documents every field; the defaults here are the ones it names.
#pragma once
#include "math3.h"

namespace persona {

enum class HairStyle : int { Bob = 0, Ponytail = 1, Short = 2, Long = 3, Spiky = 4 };
enum class TopStyle : int { TShirt = 0, LongSleeve = 1, Jacket = 2 };
enum class BottomStyle : int { Trousers = 0, Shorts = 1, Skirt = 2 };
enum class ShoeStyle : int { Sneakers = 0, Boots = 1 };
enum class Accessory : int { None = 0, Glasses = 1, Beanie = 2, Scarf = 3, Headband = 4 };

struct CharacterLook {
  // Proportions in metres.
  float headRadius = 0.155f;
  float neckLength = 0.05f;
  float torsoLength = 0.44f;  // hips to base of neck
  float shoulderWidth = 0.34f;
  float hipWidth = 0.24f;
  float upperArm = 0.25f;
  float forearm = 0.22f;
  float thigh = 0.36f;
  float shin = 0.34f;
  float limbRadius = 0.05f;
  float eyeSize = 1.0f;  // multiplies the eyes' size
  // Palette.
  Rgba skin{1.0f, 0.86f, 0.74f, 1};
  Rgba hair{0.35f, 0.22f, 0.15f, 1};
  Rgba eyes{0.25f, 0.45f, 0.75f, 1};
  Rgba top{0.30f, 0.55f, 0.85f, 1};
  Rgba topAccent{0.95f, 0.95f, 0.95f, 1};  // collar, cuffs, the shirt under a jacket
  Rgba bottom{0.20f, 0.22f, 0.35f, 1};
  Rgba shoes{0.35f, 0.20f, 0.12f, 1};
  Rgba accessoryColour{0.85f, 0.25f, 0.3f, 1};
  Rgba outline{0.16f, 0.10f, 0.10f, 1};
  HairStyle hairStyle = HairStyle::Bob;
  TopStyle topStyle = TopStyle::TShirt;
  BottomStyle bottomStyle = BottomStyle::Trousers;
  ShoeStyle shoeStyle = ShoeStyle::Sneakers;
  Accessory accessory = Accessory::None;
};

}  // namespace persona
