// The embedded voice: espeak-ng, opened at run time (dlopen), synthesising on one thread of its own.
// espeak keeps global state and is not thread-safe, so every utterance of the process goes through one
// queue and one synthesis thread per library. No N-API here: the binding turns sinks into JS callbacks.
#pragma once
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace persona {

struct VoiceSettings {
  std::string voice = "en-us";  // an espeak voice name, optionally with a variant: "en-us+f3"
  int rate = 175;               // words per minute, 80..450
  int pitch = 50;               // 0..100
  int volume = 100;             // 0..200
};

// A phoneme, word, sentence or clause-end event on the utterance's audio time.
struct VoiceMark {
  enum Kind : uint8_t { Phoneme, Word, Sentence, End } kind = Phoneme;
  int32_t audioMs = 0;       // ms from the start of the utterance's audio
  int32_t textPosition = 0;  // word/sentence: characters from the start of the text, as espeak counts (1-based)
  int32_t length = 0;        // word: its length in characters
  char phoneme[9] = {};      // phoneme: espeak's mnemonic ("aI", "@", "p"), zero-terminated
};

// Where an utterance's output goes. Called on the synthesis thread; must not block.
class UtteranceSink {
 public:
  virtual ~UtteranceSink() = default;
  // One buffer of speech as espeak produced it (mono, 16-bit) and the events that fell in it.
  // `startSample`: the buffer's first sample within the utterance; `sinceQueuedMs`: time since speak().
  virtual void chunk(std::vector<int16_t>&& samples, std::vector<VoiceMark>&& marks, int64_t startSample,
                     int sampleRate, double sinceQueuedMs) = 0;
  // The last call: spoken to the end, cancelled, or failed (`error` says why).
  virtual void done(bool cancelled, const std::string& error, int64_t totalSamples) = 0;
};

class Utterance {
 public:
  Utterance(std::string text, VoiceSettings settings, std::shared_ptr<UtteranceSink> sink)
      : text_(std::move(text)), settings_(std::move(settings)), sink_(std::move(sink)),
        queuedAt_(std::chrono::steady_clock::now()) {}
  // From any thread: a queued utterance is skipped, the one being spoken stops at its next buffer.
  void cancel() { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const { return cancelled_.load(std::memory_order_relaxed); }

  const std::string& text() const { return text_; }
  const VoiceSettings& settings() const { return settings_; }
  UtteranceSink& sink() const { return *sink_; }
  std::chrono::steady_clock::time_point queuedAt() const { return queuedAt_; }

 private:
  std::string text_;
  VoiceSettings settings_;
  std::shared_ptr<UtteranceSink> sink_;
  std::chrono::steady_clock::time_point queuedAt_;
  std::atomic<bool> cancelled_{false};
};

struct EspeakLibrary;

class VoiceEngine {
 public:
  // The engine for the espeak-ng library at `library` (a path or a soname, e.g. "libespeak-ng.so.1"), shared
  // by everyone who asks for the same library and kept for the life of the process (its thread sleeps when
  // idle); nullptr with `*error` set when the library cannot be opened.
  static std::shared_ptr<VoiceEngine> open(const std::string& library, std::string* error);
  // "" when `library` opens and has the functions we need; else why not (dlopen's or dlsym's words).
  static std::string probe(const std::string& library);

  explicit VoiceEngine(EspeakLibrary* library);
  // Cancels what is queued and being spoken, then joins the synthesis thread (engines from open() are kept).
  ~VoiceEngine();
  VoiceEngine(const VoiceEngine&) = delete;
  VoiceEngine& operator=(const VoiceEngine&) = delete;

  // Queues an utterance; never blocks on synthesis. Its sink hears chunks, then done().
  void speak(std::shared_ptr<Utterance> utterance);

 private:
  void run();
  void synthesise(Utterance& utterance);

  EspeakLibrary* library_;  // never closed: espeak's global state lives as long as the process
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::shared_ptr<Utterance>> queue_;
  std::shared_ptr<Utterance> current_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace persona
