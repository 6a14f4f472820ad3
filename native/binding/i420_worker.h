// composeI420(rgba, width, height, [r, g, b], out): composes and converts on a libuv worker thread.
#pragma once
#include <napi.h>

namespace persona {

Napi::Value ComposeI420(const Napi::CallbackInfo& info);

}  // namespace persona
