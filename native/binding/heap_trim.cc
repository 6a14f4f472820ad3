// Each WebRTC viewer brings libwebrtc threads whose allocations land in glibc malloc arenas (one
// per busy thread, up to 8 per core). When a viewer leaves, the memory is freed but stays mapped
// in those arenas, so a server whose viewers come and go grows; malloc_trim returns it.
#include "heap_trim.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace persona {

namespace {

class TrimWorker : public Napi::AsyncWorker {
 public:
  explicit TrimWorker(Napi::Env env) : Napi::AsyncWorker(env, "persona.malloc_trim"), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void Execute() override {
#if defined(__GLIBC__)
    released_ = malloc_trim(0) == 1;
#endif
  }
  void OnOK() override { deferred_.Resolve(Napi::Boolean::New(Env(), released_)); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  bool released_ = false;
};

}  // namespace

Napi::Value TrimMalloc(const Napi::CallbackInfo& info) {
  auto* worker = new TrimWorker(info.Env());
  worker->Queue();
  return worker->Promise();
}

}  // namespace persona
