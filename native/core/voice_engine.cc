#include "voice_engine.h"
#include <dlfcn.h>
#include <sys/stat.h>
#include <algorithm>
#include <cstring>
#include <map>
#include "voice_espeak.h"

namespace persona {

// One opened copy of libespeak-ng. Never freed nor closed: espeak's globals live until the process ends,
// and an engine made later for the same library must find it initialised.
struct EspeakLibrary {
  std::string path;
  void* handle = nullptr;
  espeak::Api api;
  // Held around every call into espeak: an engine being torn down and its successor never overlap.
  std::mutex calls;
  bool initialised = false;
  std::string initError;
  int sampleRate = 0;
  std::string voice;  // the voice espeak has selected now
};

namespace {

// espeak delivers sound in buffers of this many ms; the first buffer is the first audio of an utterance.
constexpr int kBufferMs = 20;

struct Registry {
  std::mutex mutex;
  std::map<std::string, EspeakLibrary*> byPath;
  std::map<void*, EspeakLibrary*> byHandle;
  // One engine per library for the life of the process: its thread sleeps when idle, and letting go of a
  // voice never waits for it to stop.
  std::map<EspeakLibrary*, std::shared_ptr<VoiceEngine>> engines;
};

Registry& registry() {
  static Registry* r = new Registry();  // never destroyed: no ordering problems at exit
  return *r;
}

template <typename F>
bool lookUp(void* handle, const char* name, F*& out, std::string* missing) {
  out = reinterpret_cast<F*>(dlsym(handle, name));
  if (!out && missing->empty()) *missing = name;
  return out != nullptr;
}

// Opens `path` (or finds it open); nullptr with `*error` set when it is missing or lacks a function.
// Caller holds the registry's mutex.
EspeakLibrary* openLibrary(const std::string& path, std::string* error) {
  Registry& r = registry();
  if (auto it = r.byPath.find(path); it != r.byPath.end()) return it->second;
  dlerror();
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = dlerror();
    *error = why ? why : ("cannot open " + path);
    return nullptr;  // not remembered: installing the library later makes the next try work
  }
  if (auto it = r.byHandle.find(handle); it != r.byHandle.end()) {
    dlclose(handle);  // the same library under another name: one copy, one synthesis thread
    r.byPath[path] = it->second;
    return it->second;
  }
  auto* lib = new EspeakLibrary();
  lib->path = path;
  lib->handle = handle;
  std::string missing;
  espeak::Api& a = lib->api;
  lookUp(handle, "espeak_Initialize", a.Initialize, &missing);
  lookUp(handle, "espeak_SetSynthCallback", a.SetSynthCallback, &missing);
  lookUp(handle, "espeak_SetVoiceByName", a.SetVoiceByName, &missing);
  lookUp(handle, "espeak_SetParameter", a.SetParameter, &missing);
  lookUp(handle, "espeak_Synth", a.Synth, &missing);
  lookUp(handle, "espeak_Cancel", a.Cancel, &missing);
  lookUp(handle, "espeak_Info", a.Info, &missing);
  lookUp(handle, "espeak_ListVoices", a.ListVoices, &missing);
  if (!missing.empty()) {
    *error = path + " has no " + missing + " (not an espeak-ng library?)";
    dlclose(handle);
    delete lib;
    return nullptr;
  }
  r.byPath[path] = lib;
  r.byHandle[handle] = lib;
  return lib;
}

// What the synthesis callback writes to: the utterance being spoken on this thread.
struct Job {
  Utterance* utterance = nullptr;
  int64_t samples = 0;
  int sampleRate = 0;
};
thread_local Job* tJob = nullptr;

int synthCallback(short* wav, int numsamples, espeak::Event* events) {
  Job* job = tJob;
  if (!job) return 0;
  if (job->utterance->cancelled()) return 1;  // espeak stops the utterance (SpeakNextClause(2))
  std::vector<VoiceMark> marks;
  for (const espeak::Event* e = events; e && e->type != espeak::kEventListTerminated; ++e) {
    VoiceMark m;
    m.audioMs = e->audio_position;
    m.textPosition = e->text_position;
    m.length = e->length;
    switch (e->type) {
      case espeak::kEventPhoneme:
        m.kind = VoiceMark::Phoneme;
        std::memcpy(m.phoneme, e->id.string, sizeof e->id.string);  // phoneme[8] stays 0
        break;
      case espeak::kEventWord: m.kind = VoiceMark::Word; break;
      case espeak::kEventSentence: m.kind = VoiceMark::Sentence; break;
      case espeak::kEventEnd: m.kind = VoiceMark::End; break;
      default: continue;
    }
    marks.push_back(m);
  }
  const int n = wav ? std::max(numsamples, 0) : 0;
  if (n > 0 || !marks.empty()) {
    std::vector<int16_t> samples(wav, wav + n);
    const double sinceQueuedMs =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - job->utterance->queuedAt()).count();
    job->utterance->sink().chunk(std::move(samples), std::move(marks), job->samples, job->sampleRate, sinceQueuedMs);
  }
  job->samples += n;
  return job->utterance->cancelled() ? 1 : 0;
}

bool fileExists(const std::string& path) {
  struct stat st;
  return stat(path.c_str(), &st) == 0;
}

// Starts espeak once per library, on the first utterance (it reads its data files: not on the JS thread).
bool ensureInitialised(EspeakLibrary& lib) {
  if (lib.initialised) return lib.initError.empty();
  lib.initialised = true;
  const int rate = lib.api.Initialize(espeak::kAudioOutputSynchronous, kBufferMs, nullptr,
                                      espeak::kInitializePhonemeEvents | espeak::kInitializeDontExit);
  const char* dataPath = nullptr;
  lib.api.Info(&dataPath);
  // With kInitializeDontExit a missing espeak-ng-data is only printed; look for its phoneme table ourselves.
  if (rate <= 0 || !dataPath || !fileExists(std::string(dataPath) + "/phontab")) {
    lib.initError = std::string("espeak-ng found no voice data") + (dataPath ? " at " + std::string(dataPath) : "") +
                    ": install espeak-ng-data";
    return false;
  }
  lib.sampleRate = rate;
  lib.api.SetSynthCallback(&synthCallback);
  return true;
}

// Selects `name`: a voice name or file ("en-us", "gmw/en"), else a language ("en-gb", "fr"), each with an
// optional variant ("+f2"), as the espeak-ng command's -v does. Caller holds lib.calls.
bool selectVoice(EspeakLibrary& lib, const std::string& name) {
  if (lib.api.SetVoiceByName(name.c_str()) == espeak::kOk) return true;
  const size_t plus = name.find('+');
  const std::string language = name.substr(0, plus), variant = plus == std::string::npos ? "" : name.substr(plus);
  espeak::VoiceInfo criteria{};
  criteria.languages = language.c_str();
  const espeak::VoiceInfo** voices = lib.api.ListVoices(&criteria);
  for (; voices && *voices; ++voices) {
    const char* id = (*voices)->identifier;
    if (!id || std::strncmp(id, "mb/", 3) == 0) continue;  // mbrola voices need mbrola itself
    return lib.api.SetVoiceByName((id + variant).c_str()) == espeak::kOk;
  }
  return false;
}

}  // namespace

std::string VoiceEngine::probe(const std::string& library) {
  std::lock_guard<std::mutex> lock(registry().mutex);
  std::string error;
  openLibrary(library, &error);
  return error;
}

std::shared_ptr<VoiceEngine> VoiceEngine::open(const std::string& library, std::string* error) {
  Registry& r = registry();
  std::lock_guard<std::mutex> lock(r.mutex);
  EspeakLibrary* lib = openLibrary(library, error);
  if (!lib) return nullptr;
  std::shared_ptr<VoiceEngine>& engine = r.engines[lib];
  if (!engine) engine = std::make_shared<VoiceEngine>(lib);
  return engine;
}

VoiceEngine::VoiceEngine(EspeakLibrary* library) : library_(library) {
  // The thread runs this module's code for the life of the process, but Node unloads an addon when the
  // worker thread that loaded it ends: pin the module (a no-op when we are linked into an executable).
  Dl_info self;
  if (dladdr(reinterpret_cast<void*>(&synthCallback), &self) && self.dli_fname)
    dlopen(self.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
  thread_ = std::thread([this] { run(); });
}

VoiceEngine::~VoiceEngine() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (auto& u : queue_) u->cancel();
    if (current_) current_->cancel();
  }
  wake_.notify_all();
  thread_.join();
}

void VoiceEngine::speak(std::shared_ptr<Utterance> utterance) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_) utterance->cancel();
    queue_.push_back(std::move(utterance));
  }
  wake_.notify_one();
}

void VoiceEngine::run() {
  for (;;) {
    std::shared_ptr<Utterance> u;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and every queued utterance has had its done()
      u = std::move(queue_.front());
      queue_.pop_front();
      current_ = u;
    }
    synthesise(*u);
    std::lock_guard<std::mutex> lock(mutex_);
    current_.reset();
  }
}

void VoiceEngine::synthesise(Utterance& u) {
  if (u.cancelled()) return u.sink().done(true, "", 0);
  std::unique_lock<std::mutex> calls(library_->calls);
  EspeakLibrary& lib = *library_;
  if (!ensureInitialised(lib)) {
    calls.unlock();
    return u.sink().done(false, lib.initError, 0);
  }
  const VoiceSettings& s = u.settings();
  if (s.voice != lib.voice) {
    if (!selectVoice(lib, s.voice)) {
      lib.voice.clear();
      calls.unlock();
      return u.sink().done(false, "espeak-ng has no voice \"" + s.voice + "\"", 0);
    }
    lib.voice = s.voice;
  }
  lib.api.SetParameter(espeak::kRate, std::clamp(s.rate, 80, 450), 0);
  lib.api.SetParameter(espeak::kPitch, std::clamp(s.pitch, 0, 100), 0);
  lib.api.SetParameter(espeak::kVolume, std::clamp(s.volume, 0, 200), 0);
  Job job;
  job.utterance = &u;
  job.sampleRate = lib.sampleRate;
  tJob = &job;
  const int status = lib.api.Synth(u.text().c_str(), u.text().size() + 1, 0, espeak::kPosCharacter, 0,
                                   espeak::kCharsUtf8, nullptr, nullptr);
  tJob = nullptr;
  const bool cancelled = u.cancelled();
  // After an abort espeak_Cancel puts back the parameters the utterance started with (SSML may change them).
  if (cancelled) lib.api.Cancel();
  calls.unlock();
  if (!cancelled && status != espeak::kOk)
    return u.sink().done(false, "espeak-ng could not speak this text (espeak_Synth returned " + std::to_string(status) + ")",
                         job.samples);
  u.sink().done(cancelled, "", job.samples);
}

}  // namespace persona
