#include "puppet_source.h"
#include <string>
#include "display_list_js.h"
#include "fill_worker.h"
#include "parse_look.h"

namespace persona {

Napi::Function PuppetSource::Define(Napi::Env env) {
  return DefineClass(env, "PuppetSource",
                     {InstanceMethod<&PuppetSource::Configure>("configure"), InstanceMethod<&PuppetSource::Fill>("fill"),
                      InstanceMethod<&PuppetSource::Stats>("stats"), InstanceMethod<&PuppetSource::Dispose>("dispose"),
                      InstanceMethod<&PuppetSource::DisplayListOf>("displayList")});
}

PuppetSource::PuppetSource(const Napi::CallbackInfo& info) : Napi::ObjectWrap<PuppetSource>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject())
    throw Napi::TypeError::New(env, "new PuppetSource({ width, height }): options object required");
  const Napi::Object options = info[0].As<Napi::Object>();
  const Napi::Value w = options.Get("width"), h = options.Get("height");
  if (!w.IsNumber() || !h.IsNumber()) throw Napi::TypeError::New(env, "PuppetSource: width and height must be numbers");
  framing_.width = w.As<Napi::Number>().Int32Value();
  framing_.height = h.As<Napi::Number>().Int32Value();
  if (framing_.width < 16 || framing_.height < 16 || framing_.width > 4096 || framing_.height > 4096)
    throw Napi::RangeError::New(env, "PuppetSource: width and height must be between 16 and 4096 pixels");
  look_ = std::make_shared<const CharacterLook>();
}

Napi::Value PuppetSource::Configure(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsObject())
    throw Napi::TypeError::New(info.Env(), "configure(look): a look object is required");
  // Fills already queued keep the look they started with; new fills take this one.
  look_ = std::make_shared<const CharacterLook>(parseLook(info[0].As<Napi::Object>()));
  return info.Env().Undefined();
}

namespace {

const float* conditioningArg(const Napi::Value& v, const char* method) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array ||
      v.As<Napi::TypedArray>().ElementLength() != kConditioningLength)
    throw Napi::TypeError::New(v.Env(), std::string(method) + ": conditioning must be a Float32Array of length " +
                                            std::to_string(kConditioningLength));
  return v.As<Napi::Float32Array>().Data();
}

}  // namespace

Napi::Value PuppetSource::DisplayListOf(const Napi::CallbackInfo& info) {
  if (info.Length() < 1) throw Napi::TypeError::New(info.Env(), "displayList(conditioning: Float32Array)");
  const float* conditioning = conditioningArg(info[0], "displayList()");
  DisplayList list;
  buildPuppet(*look_, conditioning, framing_, list);
  return displayListToJs(info.Env(), list);
}

Napi::Value PuppetSource::Fill(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (disposed_) throw Napi::Error::New(env, "fill(): this PuppetSource was disposed");
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
  auto* worker = new FillWorker(env, this, Value(), look_, conditioning, pixels, framing_);
  worker->Queue();
  return worker->Promise();
}

void PuppetSource::FillSettled(const uint8_t* buffer, double fillMs, double queueMs) {
  inFlight_.erase(buffer);
  fills_ += 1;
  totalFillMs_ += fillMs;
  lastFillMs_ = fillMs;
  lastQueueMs_ = queueMs;
}

Napi::Value PuppetSource::Stats(const Napi::CallbackInfo& info) {
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

Napi::Value PuppetSource::Dispose(const Napi::CallbackInfo& info) {
  disposed_ = true;  // fills in flight finish; their buffers stay referenced until then
  return info.Env().Undefined();
}

}  // namespace persona
