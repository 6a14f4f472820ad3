// One frame fill on a libuv worker thread. Inputs are copied or referenced on the JS thread;
// Execute() touches no Napi values; OnOK/OnError settle the promise.
#pragma once
#include <napi.h>
#include <array>
#include <chrono>
#include <memory>
#include "../core/character.h"
#include "../core/conditioning.h"
#include "../core/frame_renderer.h"

namespace persona {

class FrameSource;

class FillWorker : public Napi::AsyncWorker {
 public:
  FillWorker(Napi::Env env, FrameSource* source, Napi::Object sourceObject, SourceKind kind, std::shared_ptr<const CharacterLook> look,
             const float* conditioning, Napi::Uint8Array buffer, Framing framing);
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override;
  void OnOK() override;
  void OnError(const Napi::Error& error) override;

 private:
  Napi::Promise::Deferred deferred_;
  FrameSource* source_;
  SourceKind kind_;
  Napi::ObjectReference sourceRef_;  // keeps the source alive while we run
  Napi::ObjectReference bufferRef_;  // keeps the JS buffer alive while C++ writes into it
  std::shared_ptr<const CharacterLook> look_;
  std::array<float, kConditioningLength> conditioning_;
  uint8_t* pixels_;
  Framing framing_;
  std::chrono::steady_clock::time_point queuedAt_;
  double fillMs_ = 0, queueMs_ = 0;
};

}  // namespace persona
