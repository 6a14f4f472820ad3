// Sets libwebrtc field trials inside @roamhq/wrtc's own addon. libwebrtc reads its tuning knobs
// (pacing, playout delay, ...) from one process-wide field-trial string that the embedding app is
// meant to set with webrtc::field_trial::InitFieldTrialsFromString; wrtc never calls it and does not
// export it. Its binary keeps its full symbol table, so we find the function there by name, add the
// module's load address and call it. Everything is checked by name, never by fixed offsets: when a
// wrtc build lacks the symbol we say so and libwebrtc keeps its defaults.
#include "webrtc_field_trials.h"

#include <elf.h>
#include <fcntl.h>
#include <link.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <vector>

namespace persona {
namespace {

constexpr const char* kInitSymbol = "_ZN6webrtc11field_trial25InitFieldTrialsFromStringEPKc";
constexpr const char* kStringSymbol = "_ZN6webrtc11field_trialL18trials_init_stringE";

struct LoadedModule {
  std::string suffix;
  std::string path;
  uintptr_t base = 0;
  bool found = false;
};

int FindModule(dl_phdr_info* info, size_t, void* data) {
  auto* module = static_cast<LoadedModule*>(data);
  const std::string name = info->dlpi_name ? info->dlpi_name : "";
  if (name.size() >= module->suffix.size() &&
      name.compare(name.size() - module->suffix.size(), module->suffix.size(), module->suffix) == 0) {
    module->path = name;
    module->base = info->dlpi_addr;
    module->found = true;
    return 1;
  }
  return 0;
}

bool ReadAt(int fd, void* out, size_t size, off_t offset) {
  size_t done = 0;
  while (done < size) {
    const ssize_t n = pread(fd, static_cast<char*>(out) + done, size - done, offset + done);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// The symbols' offsets in the file's .symtab (0 where absent); the error says what went wrong.
// `init` is required; `string` (the variable it sets) only serves to read the result back.
struct SymbolOffsets {
  uintptr_t init = 0;
  uintptr_t string = 0;
  std::string error;
};

SymbolOffsets FindSymbols(const std::string& path) {
  SymbolOffsets result;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    result.error = "cannot open " + path;
    return result;
  }
  Elf64_Ehdr header;
  std::vector<Elf64_Shdr> sections;
  if (!ReadAt(fd, &header, sizeof header, 0) || std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 ||
      header.e_ident[EI_CLASS] != ELFCLASS64 || header.e_shentsize != sizeof(Elf64_Shdr)) {
    result.error = path + " is not a 64-bit ELF file";
  } else {
    sections.resize(header.e_shnum);
    if (!ReadAt(fd, sections.data(), sections.size() * sizeof(Elf64_Shdr), header.e_shoff)) {
      result.error = "cannot read the section headers of " + path;
      sections.clear();
    }
  }
  for (const Elf64_Shdr& section : sections) {
    if (section.sh_type != SHT_SYMTAB || section.sh_link >= sections.size()) continue;
    const Elf64_Shdr& names = sections[section.sh_link];
    std::vector<Elf64_Sym> symbols(section.sh_size / sizeof(Elf64_Sym));
    std::vector<char> strings(names.sh_size + 1, '\0');
    if (!ReadAt(fd, symbols.data(), symbols.size() * sizeof(Elf64_Sym), section.sh_offset) ||
        !ReadAt(fd, strings.data(), names.sh_size, names.sh_offset)) {
      result.error = "cannot read the symbol table of " + path;
      break;
    }
    for (const Elf64_Sym& symbol : symbols) {
      if (symbol.st_name >= names.sh_size || symbol.st_value == 0) continue;
      const char* name = strings.data() + symbol.st_name;
      if (ELF64_ST_TYPE(symbol.st_info) == STT_FUNC && std::strcmp(name, kInitSymbol) == 0) result.init = symbol.st_value;
      if (ELF64_ST_TYPE(symbol.st_info) == STT_OBJECT && std::strcmp(name, kStringSymbol) == 0) result.string = symbol.st_value;
    }
  }
  close(fd);
  if (result.error.empty() && result.init == 0)
    result.error = path + " has no symbol table entry for webrtc::field_trial::InitFieldTrialsFromString(const char*)";
  return result;
}

}  // namespace

// setWebrtcFieldTrials(moduleSuffix, trials) → the trial string libwebrtc now holds. Throws with
// the reason when wrtc is not loaded or its symbols cannot be found.
Napi::Value SetWebrtcFieldTrials(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString())
    throw Napi::TypeError::New(env, "setWebrtcFieldTrials(moduleSuffix: string, trials: string)");
  LoadedModule module;
  module.suffix = info[0].As<Napi::String>().Utf8Value();
  dl_iterate_phdr(FindModule, &module);
  if (!module.found) throw Napi::Error::New(env, "no loaded module ends with \"" + module.suffix + "\": load @roamhq/wrtc first");
  const SymbolOffsets offsets = FindSymbols(module.path);
  if (!offsets.error.empty()) throw Napi::Error::New(env, offsets.error);
  // libwebrtc keeps the pointer, not a copy: the string lives as long as the process (a few bytes,
  // once per call; an earlier one is never freed, as libwebrtc may have handed it out).
  const auto* trials = new std::string(info[1].As<Napi::String>().Utf8Value());
  using InitFn = void (*)(const char*);
  reinterpret_cast<InitFn>(module.base + offsets.init)(trials->c_str());
  // Read back what libwebrtc now holds, where its (internal) variable is in the symbol table too.
  if (offsets.string == 0) return Napi::String::New(env, *trials);
  const char* now = *reinterpret_cast<const char* const*>(module.base + offsets.string);
  return Napi::String::New(env, now ? now : "");
}

}  // namespace persona
