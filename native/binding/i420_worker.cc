#include "i420_worker.h"
#include <string>
#include "../core/i420.h"

namespace persona {

namespace {

class I420Worker : public Napi::AsyncWorker {
 public:
  I420Worker(Napi::Env env, Napi::Uint8Array rgba, Napi::Uint8Array out, int width, int height, const uint8_t bg[3])
      : Napi::AsyncWorker(env, "persona.i420"),
        deferred_(Napi::Promise::Deferred::New(env)),
        rgbaRef_(Napi::Persistent(rgba.As<Napi::Object>())),
        outRef_(Napi::Persistent(out.As<Napi::Object>())),
        rgba_(rgba.Data()),
        out_(out.Data()),
        width_(width),
        height_(height) {
    bg_[0] = bg[0]; bg_[1] = bg[1]; bg_[2] = bg[2];
  }
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override { composeI420(rgba_, width_, height_, bg_, out_); }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  Napi::ObjectReference rgbaRef_, outRef_;  // keep both JS buffers alive while C++ uses them
  const uint8_t* rgba_;
  uint8_t* out_;
  int width_, height_;
  uint8_t bg_[3];
};

}  // namespace

Napi::Value ComposeI420(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* usage = "composeI420(rgba: Uint8Array, width, height, background: [r, g, b], out: Uint8Array)";
  if (info.Length() < 5 || !info[0].IsTypedArray() || !info[1].IsNumber() || !info[2].IsNumber() || !info[3].IsArray() ||
      !info[4].IsTypedArray())
    throw Napi::TypeError::New(env, usage);
  const int width = info[1].As<Napi::Number>().Int32Value(), height = info[2].As<Napi::Number>().Int32Value();
  if (width <= 0 || height <= 0 || width % 2 || height % 2)
    throw Napi::RangeError::New(env, "composeI420: width and height must be positive and even");
  const Napi::Uint8Array rgba = info[0].As<Napi::Uint8Array>(), out = info[4].As<Napi::Uint8Array>();
  const size_t pixels = static_cast<size_t>(width) * height;
  if (rgba.ByteLength() != pixels * 4)
    throw Napi::TypeError::New(env, "composeI420: rgba must be width*height*4 = " + std::to_string(pixels * 4) + " bytes");
  if (out.ByteLength() != pixels * 3 / 2)
    throw Napi::TypeError::New(env, "composeI420: out must be width*height*3/2 = " + std::to_string(pixels * 3 / 2) + " bytes");
  const Napi::Array colour = info[3].As<Napi::Array>();
  if (colour.Length() != 3) throw Napi::TypeError::New(env, "composeI420: background must be [r, g, b] in 0..255");
  uint8_t bg[3];
  for (uint32_t i = 0; i < 3; ++i) bg[i] = static_cast<uint8_t>(colour.Get(i).As<Napi::Number>().Int32Value() & 255);
  auto* worker = new I420Worker(env, rgba, out, width, height, bg);
  worker->Queue();
  return worker->Promise();
}

}  // namespace persona
