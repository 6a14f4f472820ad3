// setWebrtcFieldTrials(moduleSuffix, trials): sets libwebrtc's field trials inside @roamhq/wrtc.
#pragma once
#include <napi.h>

namespace persona {

Napi::Value SetWebrtcFieldTrials(const Napi::CallbackInfo& info);

}  // namespace persona
