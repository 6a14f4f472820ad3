// threadCpuMs() → the calling thread's CPU time in ms (CLOCK_THREAD_CPUTIME_ID).
#pragma once
#include <napi.h>

namespace persona {

Napi::Value ThreadCpuMs(const Napi::CallbackInfo& info);

}  // namespace persona
