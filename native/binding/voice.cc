#include "voice.h"
#include <cstring>
#include <mutex>
#include <vector>

namespace persona {

namespace {

// What the synthesis thread hands to the JS thread.
struct VoiceMessage {
  bool done = false;
  std::vector<int16_t> samples;
  std::vector<VoiceMark> marks;
  int64_t startSample = 0;
  int sampleRate = 0;
  double sinceQueuedMs = 0;
  bool cancelled = false;
  std::string error;
  int64_t totalSamples = 0;
};

const char* markKind(VoiceMark::Kind kind) {
  switch (kind) {
    case VoiceMark::Phoneme: return "phoneme";
    case VoiceMark::Word: return "word";
    case VoiceMark::Sentence: return "sentence";
    case VoiceMark::End: return "end";
  }
  return "phoneme";
}

class JsSink;
void deliver(Napi::Env env, Napi::Function onMessage, JsSink* sink, VoiceMessage* message);
using Tsfn = Napi::TypedThreadSafeFunction<JsSink, VoiceMessage, deliver>;

// One utterance's way back to JS: a ThreadSafeFunction, released after 'done'. The TSFN's finalizer (on
// the JS thread, also when the environment goes away) closes the sink, so the synthesis thread never calls
// a TSFN that Node has freed.
class JsSink : public UtteranceSink {
 public:
  void open(Tsfn tsfn) { tsfn_ = tsfn; }
  void closed() {
    std::lock_guard<std::mutex> lock(mutex_);
    open_ = false;
  }

  void chunk(std::vector<int16_t>&& samples, std::vector<VoiceMark>&& marks, int64_t startSample, int sampleRate,
             double sinceQueuedMs) override {
    auto* m = new VoiceMessage();
    m->samples = std::move(samples);
    m->marks = std::move(marks);
    m->startSample = startSample;
    m->sampleRate = sampleRate;
    m->sinceQueuedMs = sinceQueuedMs;
    send(m, false);
  }

  void done(bool cancelled, const std::string& error, int64_t totalSamples) override {
    auto* m = new VoiceMessage();
    m->done = true;
    m->cancelled = cancelled;
    m->error = error;
    m->totalSamples = totalSamples;
    send(m, true);
  }

 private:
  void send(VoiceMessage* m, bool last) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!open_ || released_) {
      delete m;
      return;
    }
    if (tsfn_.NonBlockingCall(m) != napi_ok) delete m;  // the environment is closing: nobody to tell
    if (last) {
      tsfn_.Release();
      released_ = true;
    }
  }

  std::mutex mutex_;
  Tsfn tsfn_;
  bool open_ = true;
  bool released_ = false;
};

// Builds JS values with the plain C API: in a TSFN callback nothing may throw, and node-addon-api's error path
// aborts the process when a call fails because a worker thread is terminating. Any failure: `ok` goes false.
struct JsBuilder {
  napi_env env;
  bool ok = true;

  napi_value object() {
    napi_value v = nullptr;
    ok = ok && napi_create_object(env, &v) == napi_ok;
    return v;
  }
  napi_value number(double d) {
    napi_value v = nullptr;
    ok = ok && napi_create_double(env, d, &v) == napi_ok;
    return v;
  }
  napi_value string(const std::string& s) {
    napi_value v = nullptr;
    ok = ok && napi_create_string_utf8(env, s.data(), s.size(), &v) == napi_ok;
    return v;
  }
  napi_value boolean(bool b) {
    napi_value v = nullptr;
    ok = ok && napi_get_boolean(env, b, &v) == napi_ok;
    return v;
  }
  // JS owns the buffer (no external memory): allocate it here and copy the samples in.
  napi_value int16s(const std::vector<int16_t>& samples) {
    void* data = nullptr;
    napi_value buffer = nullptr, array = nullptr;
    ok = ok && napi_create_arraybuffer(env, samples.size() * sizeof(int16_t), &data, &buffer) == napi_ok;
    if (ok && !samples.empty()) std::memcpy(data, samples.data(), samples.size() * sizeof(int16_t));
    ok = ok && napi_create_typedarray(env, napi_int16_array, samples.size(), buffer, 0, &array) == napi_ok;
    return array;
  }
  napi_value array(size_t length) {
    napi_value v = nullptr;
    ok = ok && napi_create_array_with_length(env, length, &v) == napi_ok;
    return v;
  }
  void set(napi_value o, const char* key, napi_value v) { ok = ok && napi_set_named_property(env, o, key, v) == napi_ok; }
  void set(napi_value a, uint32_t i, napi_value v) { ok = ok && napi_set_element(env, a, i, v) == napi_ok; }
};

napi_value messageToJs(JsBuilder& js, const VoiceMessage* m) {
  napi_value o = js.object();
  if (m->done) {
    js.set(o, "type", js.string("done"));
    js.set(o, "cancelled", js.boolean(m->cancelled));
    js.set(o, "error", js.string(m->error));
    js.set(o, "totalSamples", js.number(static_cast<double>(m->totalSamples)));
    return o;
  }
  js.set(o, "type", js.string("chunk"));
  js.set(o, "pcm", js.int16s(m->samples));
  js.set(o, "startSample", js.number(static_cast<double>(m->startSample)));
  js.set(o, "sampleRate", js.number(m->sampleRate));
  js.set(o, "sinceQueuedMs", js.number(m->sinceQueuedMs));
  napi_value marks = js.array(m->marks.size());
  for (size_t i = 0; i < m->marks.size() && js.ok; ++i) {
    const VoiceMark& k = m->marks[i];
    napi_value mark = js.object();
    js.set(mark, "kind", js.string(markKind(k.kind)));
    js.set(mark, "atMs", js.number(k.audioMs));
    if (k.kind == VoiceMark::Phoneme) {
      js.set(mark, "phoneme", js.string(k.phoneme));
    } else {
      js.set(mark, "textPosition", js.number(k.textPosition));
      js.set(mark, "length", js.number(k.length));
    }
    js.set(marks, static_cast<uint32_t>(i), mark);
  }
  js.set(o, "marks", marks);
  return o;
}

// On the JS thread (env is null when the environment is tearing down with messages still queued).
// Nothing here throws: an exception the callback throws stays pending for Node to report.
void deliver(Napi::Env env, Napi::Function onMessage, JsSink*, VoiceMessage* message) {
  std::unique_ptr<VoiceMessage> m(message);
  if (env == nullptr || onMessage.IsEmpty()) return;
  JsBuilder js{env};
  napi_value argument = messageToJs(js, m.get());
  napi_value receiver = nullptr, result = nullptr;
  if (!js.ok || napi_get_undefined(env, &receiver) != napi_ok) return;  // the environment is going away
  napi_call_function(env, receiver, onMessage, 1, &argument, &result);
}

int intOption(const Napi::Object& o, const char* key, int fallback) {
  const Napi::Value v = o.Get(key);
  if (v.IsUndefined()) return fallback;
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("speak(): ") + key + " must be a number");
  return v.As<Napi::Number>().Int32Value();
}

std::string libraryOption(const Napi::CallbackInfo& info, const char* method) {
  if (info.Length() < 1 || info[0].IsUndefined()) return "libespeak-ng.so.1";
  Napi::Value v = info[0];
  if (v.IsObject() && !v.IsString()) v = v.As<Napi::Object>().Get("library");
  if (v.IsUndefined()) return "libespeak-ng.so.1";
  if (!v.IsString()) throw Napi::TypeError::New(info.Env(), std::string(method) + ": library must be a string");
  return v.As<Napi::String>().Utf8Value();
}

}  // namespace

Napi::Function Voice::Define(Napi::Env env) {
  return DefineClass(env, "Voice",
                     {StaticMethod<&Voice::Probe>("probe"), InstanceMethod<&Voice::Speak>("speak"),
                      InstanceMethod<&Voice::Cancel>("cancel"), InstanceMethod<&Voice::Dispose>("dispose")});
}

Napi::Value Voice::Probe(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), VoiceEngine::probe(libraryOption(info, "Voice.probe()")));
}

Voice::Voice(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Voice>(info) {
  std::string error;
  engine_ = VoiceEngine::open(libraryOption(info, "new Voice()"), &error);
  if (!engine_) throw Napi::Error::New(info.Env(), "no voice: " + error);
  env_ = info.Env();
  // An environment that goes away (a worker thread ending, the process exiting) stops our utterances.
  hooked_ = napi_add_env_cleanup_hook(env_, &Voice::CleanupHook, this) == napi_ok;
}

Voice::~Voice() {
  if (hooked_) napi_remove_env_cleanup_hook(env_, &Voice::CleanupHook, this);
  hooked_ = false;
  Shutdown();
}

void Voice::CleanupHook(void* self) {
  auto* voice = static_cast<Voice*>(self);
  voice->hooked_ = false;  // a hook that has run is gone
  voice->Shutdown();
}

void Voice::Shutdown() {
  for (auto& [id, weak] : live_)
    if (auto u = weak.lock()) u->cancel();
  live_.clear();
  engine_.reset();  // the engine and its thread stay (shared, process-wide): nothing here waits
}

Napi::Value Voice::Speak(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!engine_) throw Napi::Error::New(env, "speak(): this voice was disposed");
  if (info.Length() < 3 || !info[0].IsString() || !info[1].IsObject() || !info[2].IsFunction())
    throw Napi::TypeError::New(env, "speak(text: string, { voice, rate, pitch, volume }, onMessage: function)");
  std::string text = info[0].As<Napi::String>().Utf8Value();
  const Napi::Object o = info[1].As<Napi::Object>();
  VoiceSettings settings;
  const Napi::Value name = o.Get("voice");
  if (!name.IsUndefined()) {
    if (!name.IsString()) throw Napi::TypeError::New(env, "speak(): voice must be a string");
    settings.voice = name.As<Napi::String>().Utf8Value();
  }
  settings.rate = intOption(o, "rate", settings.rate);
  settings.pitch = intOption(o, "pitch", settings.pitch);
  settings.volume = intOption(o, "volume", settings.volume);

  for (auto it = live_.begin(); it != live_.end();) it = it->second.expired() ? live_.erase(it) : std::next(it);

  auto sink = std::make_shared<JsSink>();
  // The finalizer's data keeps the sink alive until Node is done with the TSFN; the context is the sink.
  auto* keep = new std::shared_ptr<JsSink>(sink);
  Tsfn tsfn = Tsfn::New(env, info[2].As<Napi::Function>(), "persona.voice", 0, 1, sink.get(),
                        [](Napi::Env, std::shared_ptr<JsSink>* k, JsSink*) {
                          (*k)->closed();
                          delete k;
                        },
                        keep);
  sink->open(tsfn);
  auto utterance = std::make_shared<Utterance>(std::move(text), std::move(settings), sink);
  const uint32_t id = nextId_++;
  live_[id] = utterance;
  engine_->speak(std::move(utterance));
  return Napi::Number::New(env, id);
}

Napi::Value Voice::Cancel(const Napi::CallbackInfo& info) {
  if (info.Length() >= 1 && info[0].IsNumber()) {
    const uint32_t id = info[0].As<Napi::Number>().Uint32Value();
    if (auto it = live_.find(id); it != live_.end()) {
      if (auto u = it->second.lock()) u->cancel();
      live_.erase(it);
    }
  } else {
    for (auto& [id, weak] : live_)
      if (auto u = weak.lock()) u->cancel();
    live_.clear();
  }
  return info.Env().Undefined();
}

Napi::Value Voice::Dispose(const Napi::CallbackInfo& info) {
  Shutdown();
  return info.Env().Undefined();
}

}  // namespace persona
