#include "parse_look.h"
#include <string>

namespace persona {

namespace {

float number(const Napi::Object& o, const char* key, float fallback) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("look.") + key + " must be a number");
  return v.As<Napi::Number>().FloatValue();
}

// Colours arrive as [r, g, b] in 0..255.
Rgba colour(const Napi::Object& o, const char* key, Rgba fallback) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 3)
    throw Napi::TypeError::New(o.Env(), std::string("look.") + key + " must be an [r, g, b] array of 0..255");
  const Napi::Array a = v.As<Napi::Array>();
  auto channel = [&](uint32_t i) {
    const Napi::Value c = a.Get(i);
    if (!c.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("look.") + key + " must be an [r, g, b] array of 0..255");
    return clamp01(c.As<Napi::Number>().FloatValue() / 255.f);
  };
  return {channel(0), channel(1), channel(2), 1};
}

// One of `names` (in enum order); throws listing them otherwise.
template <typename E, size_t N>
E choice(const Napi::Object& o, const char* key, const char* const (&names)[N], E fallback) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  const std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : "";
  std::string list;
  for (size_t i = 0; i < N; ++i) {
    if (s == names[i]) return static_cast<E>(i);
    list += (i ? ", " : "") + std::string(names[i]);
  }
  throw Napi::TypeError::New(o.Env(), std::string("look.") + key + " must be one of: " + list);
}

const char* const kHairStyles[] = {"bob", "ponytail", "short", "long", "spiky"};
const char* const kTopStyles[] = {"tshirt", "longsleeve", "jacket"};
const char* const kBottomStyles[] = {"trousers", "shorts", "skirt"};
const char* const kShoeStyles[] = {"sneakers", "boots"};
const char* const kAccessories[] = {"none", "glasses", "beanie", "scarf", "headband"};

}  // namespace

CharacterLook parseLook(const Napi::Object& o) {
  CharacterLook d;
  d.headRadius = number(o, "headRadius", d.headRadius);
  d.neckLength = number(o, "neckLength", d.neckLength);
  d.torsoLength = number(o, "torsoLength", d.torsoLength);
  d.shoulderWidth = number(o, "shoulderWidth", d.shoulderWidth);
  d.hipWidth = number(o, "hipWidth", d.hipWidth);
  d.upperArm = number(o, "upperArm", d.upperArm);
  d.forearm = number(o, "forearm", d.forearm);
  d.thigh = number(o, "thigh", d.thigh);
  d.shin = number(o, "shin", d.shin);
  d.limbRadius = number(o, "limbRadius", d.limbRadius);
  d.eyeSize = number(o, "eyeSize", d.eyeSize);
  d.skin = colour(o, "skin", d.skin);
  d.hair = colour(o, "hair", d.hair);
  d.eyes = colour(o, "eyes", d.eyes);
  d.top = colour(o, "top", d.top);
  d.topAccent = colour(o, "topAccent", d.topAccent);
  d.bottom = colour(o, "bottom", d.bottom);
  d.shoes = colour(o, "shoes", d.shoes);
  d.accessoryColour = colour(o, "accessoryColour", d.accessoryColour);
  d.outline = colour(o, "outline", d.outline);
  d.hairStyle = choice(o, "hairStyle", kHairStyles, d.hairStyle);
  d.topStyle = choice(o, "topStyle", kTopStyles, d.topStyle);
  d.bottomStyle = choice(o, "bottomStyle", kBottomStyles, d.bottomStyle);
  d.shoeStyle = choice(o, "shoeStyle", kShoeStyles, d.shoeStyle);
  d.accessory = choice(o, "accessory", kAccessories, d.accessory);
  return d;
}

}  // namespace persona
