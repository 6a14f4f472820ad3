// Each WebRTC viewer brings libwebrtc threads whose allocations land in glibc malloc arenas (one
// per busy thread, up to 8 per core). When a viewer leaves, the memory is freed but stays mapped
// in those arenas, so a server whose viewers come and go grows; malloc_trim returns it.
//
// malloc_trim alone is not enough: it returns the free chunks in every arena's bins, but the free
// space at the top of a thread arena (the "top chunk") only goes back when a free() there finds it
// larger than M_TRIM_THRESHOLD, and glibc raises that threshold to twice the largest mmap'd block
// ever freed (up to 64 MB). Once node has freed a 2 MB buffer, every arena keeps up to 4 MB of
// freed top resident for good (measured: 4.3 MB tops in 6 of 16 arenas after 50 visits, +10..30 MB
// of server RSS that no trim returned). So when the addon loads we pin both thresholds at glibc's
// documented defaults, which also turns the sliding thresholds off: blocks of 128 KB and more are
// mmap'd and unmapped on free, and an arena's top is returned as soon as it passes 128 KB.
#include "heap_trim.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace persona {

namespace {

#if defined(__GLIBC__)
constexpr int kMmapThreshold = 128 * 1024;
constexpr int kTrimThreshold = 128 * 1024;

const bool kThresholdsPinned = [] {
  return mallopt(M_MMAP_THRESHOLD, kMmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, kTrimThreshold) == 1;
}();
#endif

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
