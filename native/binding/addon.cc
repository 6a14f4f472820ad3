// The addon's entry point: it only exports.
#include <napi.h>
#include "../core/conditioning.h"
#include "frame_source.h"
#include "i420_worker.h"
#include "heap_trim.h"
#include "thread_cpu.h"
#include "voice.h"
#include "webrtc_field_trials.h"

namespace persona {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("FrameSource", FrameSource::Define(env));
  exports.Set("Voice", Voice::Define(env));
  exports.Set("composeI420", Napi::Function::New(env, ComposeI420, "composeI420"));
  exports.Set("trimMalloc", Napi::Function::New(env, TrimMalloc, "trimMalloc"));
  exports.Set("threadCpuMs", Napi::Function::New(env, ThreadCpuMs, "threadCpuMs"));
  exports.Set("setWebrtcFieldTrials", Napi::Function::New(env, SetWebrtcFieldTrials, "setWebrtcFieldTrials"));
  Napi::Object layout = Napi::Object::New(env);
  layout.Set("jointCount", static_cast<double>(kJointCount));
  layout.Set("expressionCount", static_cast<double>(kExpressionCount));
  layout.Set("jointOffset", static_cast<double>(kJointOffset));
  layout.Set("expressionOffset", static_cast<double>(kExpressionOffset));
  layout.Set("handOffset", static_cast<double>(kHandOffset));
  layout.Set("timeOffset", static_cast<double>(kTimeOffset));
  layout.Set("length", static_cast<double>(kConditioningLength));
  exports.Set("layout", layout);
  return exports;
}

NODE_API_MODULE(persona_native, Init)

}  // namespace persona
