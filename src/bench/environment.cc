#include "bench/environment.h"

#include <dlfcn.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <filesystem>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace sb::bench {
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string read_trimmed(const fs::path& p) {
  std::ifstream in(p);
  if (!in) return "";
  std::string s;
  std::getline(in, s);
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// ---- NVML through dlopen (no build-time dependency) ----------------------------------------
struct Nvml {
  using Device = void*;
  int (*init)() = nullptr;
  int (*count)(unsigned*) = nullptr;
  int (*handle)(unsigned, Device*) = nullptr;
  int (*name)(Device, char*, unsigned) = nullptr;
  int (*uuid)(Device, char*, unsigned) = nullptr;
  int (*driver)(char*, unsigned) = nullptr;
  int (*clock)(Device, int, unsigned*) = nullptr;
  int (*temperature)(Device, int, unsigned*) = nullptr;
  int (*power)(Device, unsigned*) = nullptr;
  int (*throttle)(Device, unsigned long long*) = nullptr;
  struct Memory {
    unsigned long long total, free, used;
  };
  int (*memory)(Device, Memory*) = nullptr;
  bool ok = false;
  std::string library = "libnvidia-ml.so.1";
  std::string reason;   // why not ok

  Nvml() {
    if (const char* l = std::getenv("SCALEBENCH_NVML_LIBRARY"); l && *l) library = l;
    void* h = ::dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char* e = ::dlerror();
      reason = "cannot load " + library + " (no NVIDIA driver here?): " + (e ? e : "dlopen failed");
      return;
    }
    auto sym = [&](const char* n) { return ::dlsym(h, n); };
    init = reinterpret_cast<int (*)()>(sym("nvmlInit_v2"));
    count = reinterpret_cast<int (*)(unsigned*)>(sym("nvmlDeviceGetCount_v2"));
    handle = reinterpret_cast<int (*)(unsigned, Device*)>(sym("nvmlDeviceGetHandleByIndex_v2"));
    name = reinterpret_cast<int (*)(Device, char*, unsigned)>(sym("nvmlDeviceGetName"));
    uuid = reinterpret_cast<int (*)(Device, char*, unsigned)>(sym("nvmlDeviceGetUUID"));
    driver = reinterpret_cast<int (*)(char*, unsigned)>(sym("nvmlSystemGetDriverVersion"));
    clock = reinterpret_cast<int (*)(Device, int, unsigned*)>(sym("nvmlDeviceGetClockInfo"));
    temperature = reinterpret_cast<int (*)(Device, int, unsigned*)>(sym("nvmlDeviceGetTemperature"));
    power = reinterpret_cast<int (*)(Device, unsigned*)>(sym("nvmlDeviceGetPowerUsage"));
    throttle = reinterpret_cast<int (*)(Device, unsigned long long*)>(
        sym("nvmlDeviceGetCurrentClocksEventReasons"));
    if (!throttle)
      throttle = reinterpret_cast<int (*)(Device, unsigned long long*)>(
          sym("nvmlDeviceGetCurrentClocksThrottleReasons"));
    memory = reinterpret_cast<int (*)(Device, Memory*)>(sym("nvmlDeviceGetMemoryInfo"));
    if (!init || !count || !handle) {
      reason = library + " lacks nvmlInit_v2 / nvmlDeviceGetCount_v2 / nvmlDeviceGetHandleByIndex_v2";
      return;
    }
    int rc = init();
    ok = rc == 0;
    if (!ok) reason = "nvmlInit_v2 returned " + std::to_string(rc) + " (driver not loaded or no permission)";
  }
  unsigned devices() const {
    unsigned n = 0;
    return ok && count(&n) == 0 ? n : 0;
  }
};

const Nvml& nvml() {
  static const Nvml n;
  return n;
}

// Reasons that mean the clocks were held down by power or heat (not idle, not app clocks).
constexpr unsigned long long kSlowdownReasons = 0x4 | 0x8 | 0x20 | 0x40 | 0x80;

std::int64_t cpu_throttle_count() {
  std::int64_t total = 0;
  bool any = false;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/sys/devices/system/cpu", ec)) {
    auto f = e.path() / "thermal_throttle" / "core_throttle_count";
    auto s = read_trimmed(f);
    if (s.empty()) continue;
    any = true;
    try {
      total += std::stoll(s);
    } catch (...) {
    }
  }
  return any ? total : -1;
}

}  // namespace

json nvml_status() {
  const auto& n = nvml();
  json j{{"available", n.ok}, {"library", n.library}};
  if (n.ok) j["devices"] = n.devices();
  else j["reason"] = n.reason;
  return j;
}

json host_info() {
  json h = json::object();
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  h["hostname"] = name;
  std::ifstream cpu("/proc/cpuinfo");
  std::string line, model;
  std::set<std::string> cores;
  std::string phys;
  while (std::getline(cpu, line)) {
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    std::string key = line.substr(0, line.find_last_not_of(" \t", colon - 1) + 1);
    std::string val = colon + 2 <= line.size() ? line.substr(colon + 2) : "";
    if (key == "model name" && model.empty()) model = val;
    if (key == "physical id") phys = val;
    if (key == "core id") cores.insert(phys + ":" + val);
  }
  h["cpu_model"] = model;
  h["threads"] = std::thread::hardware_concurrency();
  h["cores"] = cores.empty() ? json(std::thread::hardware_concurrency()) : json(cores.size());
  json caches = json::array();
  for (int i = 0; i < 8; ++i) {
    fs::path d = fs::path("/sys/devices/system/cpu/cpu0/cache") / ("index" + std::to_string(i));
    if (!fs::exists(d)) break;
    caches.push_back(json{{"level", read_trimmed(d / "level")}, {"type", read_trimmed(d / "type")},
                          {"size", read_trimmed(d / "size")}});
  }
  h["caches"] = caches;
  std::ifstream mem("/proc/meminfo");
  while (std::getline(mem, line))
    if (line.rfind("MemTotal:", 0) == 0) h["memory_bytes"] = std::stoll(line.substr(9)) * 1024;
  utsname u{};
  ::uname(&u);
  std::string os = std::string(u.sysname) + " " + u.release + " " + u.machine;
  std::ifstream rel("/etc/os-release");
  while (std::getline(rel, line))
    if (line.rfind("PRETTY_NAME=", 0) == 0) {
      std::string pretty = line.substr(12);
      if (pretty.size() >= 2 && pretty.front() == '"') pretty = pretty.substr(1, pretty.size() - 2);
      os = pretty + " (" + os + ")";
    }
  h["os"] = os;
  auto gov = read_trimmed("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  h["governor"] = gov.empty() ? json() : json(gov);
  return h;
}

json gpu_info() {
  json out = json::array();
  const auto& n = nvml();
  char driver[96] = {};
  if (n.driver) n.driver(driver, sizeof driver);
  for (unsigned i = 0; i < n.devices(); ++i) {
    Nvml::Device d = nullptr;
    if (n.handle(i, &d) != 0) continue;
    char name[96] = {}, uuid[96] = {};
    if (n.name) n.name(d, name, sizeof name);
    if (n.uuid) n.uuid(d, uuid, sizeof uuid);
    Nvml::Memory m{};
    json mem = nullptr;
    if (n.memory && n.memory(d, &m) == 0) mem = m.total;
    out.push_back(json{{"index", i}, {"name", name}, {"driver", driver}, {"memory_bytes", mem}, {"uuid", uuid}});
  }
  return out;
}

json sample_environment() {
  json e = json::object();
  double load[3] = {0, 0, 0};
  if (::getloadavg(load, 3) >= 1) e["loadavg_1m"] = load[0];
  auto gov = read_trimmed("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
  if (!gov.empty()) e["governor"] = gov;
  auto mhz = read_trimmed("/sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq");
  if (!mhz.empty()) {
    try {
      e["cpu0_mhz"] = std::stod(mhz) / 1000.0;
    } catch (...) {
    }
  }
  auto thr = cpu_throttle_count();
  if (thr >= 0) e["cpu_throttle_count"] = thr;
  const auto& n = nvml();
  json gpus = json::array();
  for (unsigned i = 0; i < n.devices(); ++i) {
    Nvml::Device d = nullptr;
    if (n.handle(i, &d) != 0) continue;
    json g{{"index", i}};
    unsigned v = 0;
    if (n.clock && n.clock(d, 1 /* NVML_CLOCK_SM */, &v) == 0) g["sm_clock_mhz"] = v;
    if (n.clock && n.clock(d, 2 /* NVML_CLOCK_MEM */, &v) == 0) g["mem_clock_mhz"] = v;
    if (n.temperature && n.temperature(d, 0 /* NVML_TEMPERATURE_GPU */, &v) == 0) g["temperature_c"] = v;
    if (n.power && n.power(d, &v) == 0) g["power_w"] = v / 1000.0;
    unsigned long long reasons = 0;
    if (n.throttle && n.throttle(d, &reasons) == 0) g["throttle_reasons"] = reasons;
    gpus.push_back(g);
  }
  if (!gpus.empty()) e["gpus"] = gpus;
  return e;
}

bool throttled_between(const json& before, const json& after) {
  if (before.contains("cpu_throttle_count") && after.contains("cpu_throttle_count") &&
      after["cpu_throttle_count"].get<std::int64_t>() > before["cpu_throttle_count"].get<std::int64_t>())
    return true;
  if (after.contains("gpus"))
    for (const auto& g : after["gpus"])
      if (g.contains("throttle_reasons") && (g["throttle_reasons"].get<unsigned long long>() & kSlowdownReasons))
        return true;
  return false;
}

}  // namespace sb::bench
