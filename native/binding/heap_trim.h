// trimMalloc() → Promise<boolean>: malloc_trim(0) on a libuv worker thread (it walks every arena).
#pragma once
#include <napi.h>

namespace persona {

Napi::Value TrimMalloc(const Napi::CallbackInfo& info);

}  // namespace persona
