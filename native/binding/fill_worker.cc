#include "fill_worker.h"
#include <algorithm>
#include "frame_source.h"

namespace persona {

namespace {
double msSince(std::chrono::steady_clock::time_point t) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t).count();
}
}  // namespace

FillWorker::FillWorker(Napi::Env env, FrameSource* source, Napi::Object sourceObject, SourceKind kind,
                       std::shared_ptr<const CharacterLook> look, const float* conditioning, Napi::Uint8Array buffer,
                       Framing framing)
    : Napi::AsyncWorker(env, "persona.frame.fill"),
      deferred_(Napi::Promise::Deferred::New(env)),
      source_(source),
      kind_(kind),
      sourceRef_(Napi::Persistent(sourceObject)),
      bufferRef_(Napi::Persistent(buffer.As<Napi::Object>())),
      look_(std::move(look)),
      pixels_(buffer.Data()),
      framing_(framing),
      queuedAt_(std::chrono::steady_clock::now()) {
  std::copy(conditioning, conditioning + kConditioningLength, conditioning_.begin());
}

void FillWorker::Execute() {
  // Each libuv thread keeps its own scratch (display list, accumulation buffer): no locks, no reallocations.
  thread_local FrameRenderer renderer;
  queueMs_ = msSince(queuedAt_);
  const auto start = std::chrono::steady_clock::now();
  renderer.render(kind_, *look_, conditioning_.data(), framing_, pixels_);
  fillMs_ = msSince(start);
}

void FillWorker::OnOK() {
  source_->FillSettled(pixels_, fillMs_, queueMs_);
  Napi::Object result = Napi::Object::New(Env());
  result.Set("fillMs", fillMs_);
  result.Set("queueMs", queueMs_);
  deferred_.Resolve(result);
}

void FillWorker::OnError(const Napi::Error& error) {
  source_->FillSettled(pixels_, 0, queueMs_);
  deferred_.Reject(error.Value());
}

}  // namespace persona
