// Voice: the embedded voice (espeak-ng, opened at run time) as a JS class. speak() queues an utterance on the
// one synthesis thread and returns at once; PCM buffers and phoneme/word events come back through a
// ThreadSafeFunction (non-blocking calls), then one 'done' message. The JS thread never waits on espeak.
#pragma once
#include <napi.h>
#include <map>
#include <memory>
#include <string>
#include "../core/voice_engine.h"

namespace persona {

class Voice : public Napi::ObjectWrap<Voice> {
 public:
  static Napi::Function Define(Napi::Env env);
  // new Voice({ library?: string }): throws with dlopen's reason when the library cannot be opened.
  explicit Voice(const Napi::CallbackInfo& info);
  ~Voice() override;

 private:
  // Voice.probe(library) → '' when the library opens and has what we need, else the reason.
  static Napi::Value Probe(const Napi::CallbackInfo& info);
  // speak(text, { voice, rate, pitch, volume }, onMessage) → an utterance id. onMessage gets
  // { type: 'chunk', pcm: Int16Array, startSample, sampleRate, sinceQueuedMs, marks: [...] } per buffer,
  // then { type: 'done', cancelled, error, totalSamples } once.
  Napi::Value Speak(const Napi::CallbackInfo& info);
  // cancel(id?): that utterance, or every one this voice queued.
  Napi::Value Cancel(const Napi::CallbackInfo& info);
  Napi::Value Dispose(const Napi::CallbackInfo& info);

  // Cancels this voice's utterances (each still gets its 'done') and lets go of the engine; never waits.
  void Shutdown();
  static void CleanupHook(void* self);

  std::shared_ptr<VoiceEngine> engine_;
  std::map<uint32_t, std::weak_ptr<Utterance>> live_;  // JS thread only; pruned as utterances end
  uint32_t nextId_ = 1;
  napi_env env_ = nullptr;
  bool hooked_ = false;
};

}  // namespace persona
