#include "frame_source.h"
#include <string>
#include "display_list_js.h"
#include "fill_worker.h"
#include "parse_look.h"
#include "../core/puppet.h"

namespace persona {

namespace {

const float* conditioningArg(const Napi::Value& v, const char* method) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      v.As<Napi::TypedArray>().ElementLength() != kConditioningLength)
    throw Napi::TypeError::New(v.Env(), std::string(method) + ": conditioning must be a Float32Array of length " +
                                            std::to_string(kConditioningLength));
  return v.As<Napi::Float32Array>().Data();
}

std::string stringOption(const Napi::Object& o, const char* key, const char* fallback) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsString()) throw Napi::TypeError::New(o.Env(), std::string("FrameSource: ") + key + " must be a string");
  return v.As<Napi::String>().Utf8Value();
}

}  // namespace

Napi::Function FrameSource::Define(Napi::Env env) {
  return DefineClass(env, "FrameSource",
                     {InstanceMethod<&FrameSource::Configure>("configure"), InstanceMethod<&FrameSource::Fill>("fill"),
                      InstanceMethod<&FrameSource::Stats>("stats"), InstanceMethod<&FrameSource::Dispose>("dispose"),
                      InstanceMethod<&FrameSource::DisplayListOf>("displayList"),
                      InstanceMethod<&FrameSource::Keypoints>("keypoints"),
                      InstanceMethod<&FrameSource::MouthParted>("mouthParted")});
}

FrameSource::FrameSource(const Napi::CallbackInfo& info) : Napi::ObjectWrap<FrameSource>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject())
    throw Napi::TypeError::New(env, "new FrameSource({ kind, width, height, shot }): options object required");
  const Napi::Object options = info[0].As<Napi::Object>();
  const std::string kind = stringOption(options, "kind", "puppet");
  if (kind == "puppet") kind_ = SourceKind::Puppet;
  else if (kind == "control") kind_ = SourceKind::Control;
  else throw Napi::TypeError::New(env, "FrameSource: kind must be one of: puppet, control (got \"" + kind + "\")");
  const std::string shot = stringOption(options, "shot", "full_body");
  if (shot == "full_body") framing_.shot = Shot::FullBody;
  else if (shot == "upper_body") framing_.shot = Shot::UpperBody;
  else if (shot == "head") framing_.shot = Shot::Head;
  else throw Napi::TypeError::New(env, "FrameSource: shot must be one of: full_body, upper_body, head (got \"" + shot + "\")");
  const Napi::Value w = options.Get("width"), h = options.Get("height");
  if (!w.IsNumber() || !h.IsNumber()) throw Napi::TypeError::New(env, "FrameSource: width and height must be numbers");
  framing_.width = w.As<Napi::Number>().Int32Value();
  framing_.height = h.As<Napi::Number>().Int32Value();
  if (framing_.width < 16 || framing_.height < 16 || framing_.width > 4096 || framing_.height > 4096)
    throw Napi::RangeError::New(env, "FrameSource: width and height must be between 16 and 4096 pixels");
  look_ = std::make_shared<const CharacterLook>();
}

Napi::Value FrameSource::Configure(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject())
    throw Napi::TypeError::New(info.Env(), "configure(look): a look object is required");
  // Fills already queued keep the look they started with; new fills take this one.
  look_ = std::make_shared<const CharacterLook>(parseLook(info[0].As<Napi::Object>()));
  return info.Env().Undefined();
}

Napi::Value FrameSource::DisplayListOf(const Napi::CallbackInfo& info) {
  if (info.Length() < 1) throw Napi::TypeError::New(info.Env(), "displayList(conditioning: Float32Array)");
  const float* conditioning = conditioningArg(info[0], "displayList()");
  DisplayList list;
  buildFrame(kind_, *look_, conditioning, framing_, list);
  return displayListToJs(info.Env(), list);
}

Napi::Value FrameSource::Keypoints(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1) throw Napi::TypeError::New(env, "keypoints(conditioning: Float32Array)");
  const float* conditioning = conditioningArg(info[0], "keypoints()");
  const SkeletonPose sk = solveSkeleton(*look_, conditioning);
  const Camera cam = frameCamera(*look_, framing_, conditioning[kRootOffset + 1]);
  Keypoint k[kOpenPoseKeypointCount];
  openPoseKeypoints(*look_, sk, cam, k);
  // x, y (pixels), visible (1/0) per keypoint; then the world positions (metres) x, y, z per keypoint.
  Napi::Float32Array pixels = Napi::Float32Array::New(env, kOpenPoseKeypointCount * 3);
  Napi::Float32Array world = Napi::Float32Array::New(env, kOpenPoseKeypointCount * 3);
  for (int i = 0; i < kOpenPoseKeypointCount; ++i) {
    pixels[i * 3] = k[i].x;
    pixels[i * 3 + 1] = k[i].y;
    pixels[i * 3 + 2] = k[i].visible ? 1.f : 0.f;
    world[i * 3] = k[i].world.x;
    world[i * 3 + 1] = k[i].world.y;
    world[i * 3 + 2] = k[i].world.z;
  }
  Napi::Object camera = Napi::Object::New(env);
  camera.Set("scale", cam.scale);
  camera.Set("originX", cam.originX);
  camera.Set("originY", cam.originY);
  Napi::Object result = Napi::Object::New(env);
  result.Set("pixels", pixels);
  result.Set("world", world);
  result.Set("camera", camera);
  return result;
}

Napi::Value FrameSource::MouthParted(const Napi::CallbackInfo& info) {
  if (info.Length() < 1) throw Napi::TypeError::New(info.Env(), "mouthParted(conditioning: Float32Array)");
  const float* conditioning = conditioningArg(info[0], "mouthParted()");
  return Napi::Number::New(info.Env(), puppetMouthParted(*look_, conditioning, framing_));
}

Napi::Value FrameSource::Fill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (disposed_) throw Napi::Error::New(env, "fill(): this frame source was disposed");
  if (info.Length() < 2 || !info[0].IsTypedArray() || !info[1].IsTypedArray())
    throw Napi::TypeError::New(env, "fill(conditioning: Float32Array, buffer: Uint8Array)");
  const float* conditioning = conditioningArg(info[0], "fill()");
  const Napi::TypedArray out = info[1].As<Napi::TypedArray>();
  const size_t bytes = static_cast<size_t>(framing_.width) * framing_.height * 4;
  if (out.TypedArrayType() != napi_uint8_array || out.ByteLength() != bytes)
    throw Napi::TypeError::New(env, "fill(): buffer must be a Uint8Array of width*height*4 = " + std::to_string(bytes) +
                                        " bytes");
  const Napi::Uint8Array pixels = out.As<Napi::Uint8Array>();
  if (inFlight_.count(pixels.Data()))
    throw Napi::Error::New(env, "fill(): this buffer is already being filled; wait for its promise");
  inFlight_.insert(pixels.Data());
  auto* worker = new FillWorker(env, this, Value(), kind_, look_, conditioning, pixels, framing_);
  worker->Queue();
  return worker->Promise();
}

void FrameSource::FillSettled(const uint8_t* buffer, double fillMs, double queueMs) {
  inFlight_.erase(buffer);
  fills_ += 1;
  totalFillMs_ += fillMs;
  lastFillMs_ = fillMs;
  lastQueueMs_ = queueMs;
}

Napi::Value FrameSource::Stats(const Napi::CallbackInfo& info) {
  Napi::Object s = Napi::Object::New(info.Env());
  s.Set("fills", fills_);
  s.Set("meanFillMs", fills_ > 0 ? totalFillMs_ / fills_ : 0);
  s.Set("lastFillMs", lastFillMs_);
  s.Set("lastQueueMs", lastQueueMs_);
  s.Set("inFlight", static_cast<double>(inFlight_.size()));
  s.Set("width", framing_.width);
  s.Set("height", framing_.height);
  return s;
}

Napi::Value FrameSource::Dispose(const Napi::CallbackInfo& info) {
  disposed_ = true;  // fills in flight finish; their buffers stay referenced until then
  return info.Env().Undefined();
}

}  // namespace persona
