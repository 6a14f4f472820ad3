// The JS thread's own CPU time, so the profiler can tell a tick that worked long from one that
// waited: wall time minus CPU time is time the OS ran something else (or the hypervisor another
// guest). Node 20 has no per-thread CPU clock (process.cpuUsage counts every thread).
#include "thread_cpu.h"

#include <ctime>

namespace persona {

Napi::Value ThreadCpuMs(const Napi::CallbackInfo& info) {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return Napi::Number::New(info.Env(), static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) * 1e-6);
}

}  // namespace persona
