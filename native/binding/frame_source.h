// FrameSource: a native frame source (`puppet` or `control`) as a JS class. fill() renders on a
// libuv worker thread into a buffer that JS allocated and returns a promise; the JS thread never waits.
#pragma once
#include <napi.h>
#include <memory>
#include <set>
#include "../core/character.h"
#include "../core/frame_renderer.h"

namespace persona {

class FrameSource : public Napi::ObjectWrap<FrameSource> {
 public:
  static Napi::Function Define(Napi::Env env);
  // new FrameSource({ kind: 'puppet' | 'control', width, height, shot?: 'full_body' | 'upper_body' | 'head' })
  explicit FrameSource(const Napi::CallbackInfo& info);

  // Called on the JS thread by the worker when a fill settles.
  void FillSettled(const uint8_t* buffer, double fillMs, double queueMs);

 private:
  Napi::Value Configure(const Napi::CallbackInfo& info);
  Napi::Value Fill(const Napi::CallbackInfo& info);
  Napi::Value Stats(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);
  // Synchronous, on the JS thread: for tools and tests that inspect or redraw what fill() draws.
  Napi::Value DisplayListOf(const Napi::CallbackInfo& info);
  Napi::Value Keypoints(const Napi::CallbackInfo& info);
  Napi::Value MouthParted(const Napi::CallbackInfo& info);

  SourceKind kind_ = SourceKind::Puppet;
  Framing framing_;
  std::shared_ptr<const CharacterLook> look_;
  std::set<const uint8_t*> inFlight_;  // at most one fill per buffer
  bool disposed_ = false;
  double fills_ = 0, totalFillMs_ = 0, lastFillMs_ = 0, lastQueueMs_ = 0;
};

}  // namespace persona
