// The small part of espeak-ng's C API (speak_lib.h) that the embedded voice uses, declared here so the
// addon builds without the -dev package: the library itself is opened at run time (dlopen).
// Checked against speak_lib.h of espeak-ng 1.51 (ESPEAK_API_REVISION 12; Debian 12's libespeak-ng1
// 1.51+dfsg): the event struct has had this layout since revision 7 (id.string added, 2011).
#pragma once
#include <cstddef>

namespace persona::espeak {

// espeak_EVENT_TYPE
enum EventType : int {
  kEventListTerminated = 0,  // ends the event list of each callback
  kEventWord = 1,            // start of word
  kEventSentence = 2,        // start of sentence
  kEventMark = 3,
  kEventPlay = 4,
  kEventEnd = 5,             // end of sentence or clause
  kEventMsgTerminated = 6,
  kEventPhoneme = 7,         // only with kInitializePhonemeEvents
  kEventSampleRate = 8,
};

// espeak_EVENT
struct Event {
  EventType type;
  unsigned int unique_identifier;
  int text_position;   // characters from the start of the text (word, sentence events)
  int length;          // word length in characters (word events)
  int audio_position;  // ms within the speech generated for this espeak_Synth call
  int sample;          // internal
  void* user_data;
  union {
    int number;        // word and sentence events
    const char* name;  // mark and play events
    char string[8];    // phoneme events: the mnemonic, zero-terminated unless it fills all 8 bytes
  } id;
};
static_assert(offsetof(Event, audio_position) == 16, "espeak_EVENT layout (speak_lib.h)");
static_assert(offsetof(Event, user_data) == 24, "espeak_EVENT layout (speak_lib.h)");
static_assert(offsetof(Event, id) == 24 + sizeof(void*), "espeak_EVENT layout (speak_lib.h)");

// espeak_VOICE: a voice of espeak_ListVoices, or the criteria given to it.
struct VoiceInfo {
  const char* name;
  const char* languages;   // listed: (priority byte, language, 0) pairs ending with 0; criteria: one language
  const char* identifier;  // its file within espeak-ng-data ("gmw/en"); a name espeak_SetVoiceByName takes
  unsigned char gender;
  unsigned char age;
  unsigned char variant;
  unsigned char xx1;
  int score;
  void* spare;
};
static_assert(offsetof(VoiceInfo, gender) == 3 * sizeof(void*), "espeak_VOICE layout (speak_lib.h)");

// espeak_AUDIO_OUTPUT: AUDIO_OUTPUT_SYNCHRONOUS, the third value (PLAYBACK, RETRIEVAL, SYNCHRONOUS, ...).
constexpr int kAudioOutputSynchronous = 2;
// espeak_Initialize options.
constexpr int kInitializePhonemeEvents = 0x0001;
constexpr int kInitializeDontExit = 0x8000;  // without it espeak calls exit() when its data is missing
// espeak_Synth flags and position type.
constexpr unsigned int kCharsUtf8 = 1;
constexpr int kPosCharacter = 1;
// espeak_PARAMETER
constexpr int kRate = 1;    // words per minute, 80..450 (175 normal)
constexpr int kVolume = 2;  // 0..200 (100 normal)
constexpr int kPitch = 3;   // 0..100 (50 normal)
// espeak_ERROR
constexpr int kOk = 0;

// t_espeak_callback: return 0 to continue, 1 to abort synthesis. wav == nullptr: the end of the text.
using SynthCallback = int(short* wav, int numsamples, Event* events);

// The functions, as looked up by dlsym. Enum parameters are C enums: passed as int.
struct Api {
  int (*Initialize)(int output, int buflength, const char* path, int options) = nullptr;
  void (*SetSynthCallback)(SynthCallback* callback) = nullptr;
  int (*SetVoiceByName)(const char* name) = nullptr;
  int (*SetParameter)(int parameter, int value, int relative) = nullptr;
  int (*Synth)(const void* text, size_t size, unsigned int position, int position_type, unsigned int end_position,
               unsigned int flags, unsigned int* unique_identifier, void* user_data) = nullptr;
  int (*Cancel)() = nullptr;
  const VoiceInfo** (*ListVoices)(VoiceInfo* criteria) = nullptr;  // nullptr-terminated, best match first
  const char* (*Info)(const char** path_data) = nullptr;
};

}  // namespace persona::espeak
