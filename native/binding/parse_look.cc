#include "parse_look.h"
#include <string>

namespace persona {

namespace {

float number(const Napi::Object& o, const char* key, float fallback) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("look.") + key + " must be a number (metres)");
  return v.As<Napi::Number>().FloatValue();
}

// Colours arrive as [r, g, b] in 0..255.
Rgba colour(const Napi::Object& o, const char* key, Rgba fallback) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 3)
    throw Napi::TypeError::New(o.Env(), std::string("look.") + key + " must be an [r, g, b] array of 0..255");
  const Napi::Array a = v.As<Napi::Array>();
  auto channel = [&](uint32_t i) { return clamp01(a.Get(i).As<Napi::Number>().FloatValue() / 255.f); };
  return {channel(0), channel(1), channel(2), 1};
}

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
  d.skin = colour(o, "skin", d.skin);
  d.hair = colour(o, "hair", d.hair);
  d.eyes = colour(o, "eyes", d.eyes);
  d.top = colour(o, "top", d.top);
  d.bottom = colour(o, "bottom", d.bottom);
  d.shoes = colour(o, "shoes", d.shoes);
  d.outline = colour(o, "outline", d.outline);
  const Napi::Value style = o.Get("hairStyle");
  if (!style.IsUndefined()) {
    const std::string s = style.IsString() ? style.As<Napi::String>().Utf8Value() : "";
    if (s == "bob") d.hairStyle = HairStyle::Bob;
    else if (s == "ponytail") d.hairStyle = HairStyle::Ponytail;
    else if (s == "short") d.hairStyle = HairStyle::Short;
    else throw Napi::TypeError::New(o.Env(), "look.hairStyle must be one of: bob, ponytail, short");
  }
  return d;
}

}  // namespace persona
