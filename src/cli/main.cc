// scalebench command-line entry point.  Exit codes: 0 ok, 1 runtime error, 2 usage error.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <unistd.h>

#include "cli/command.h"
#include "util/error.h"
#include "util/version.h"

namespace sb::cli {

std::vector<RegisteredCommand>& registered_commands() {
  static std::vector<RegisteredCommand> commands;
  return commands;
}

CommandRegistration::CommandRegistration(std::string name, std::function<void(CLI::App&)> setup) {
  registered_commands().push_back({std::move(name), std::move(setup)});
}

std::string self_executable() {
  std::error_code ec;
  auto p = std::filesystem::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("scalebench") : p.string();
}

}  // namespace sb::cli

int main(int argc, char** argv) {
  CLI::App app{"scalebench — benchmarks LLM inference backends across model scales and reports "
               "only what it measured.\nExit codes: 0 ok, 1 runtime error, 2 usage error."};
  app.set_version_flag("--version", std::string("scalebench ") + sb::kVersion + " (" + sb::kGitSha +
                                        ", " + sb::kBuildType + ")");
  app.require_subcommand(1);
  auto& cmds = sb::cli::registered_commands();
  std::sort(cmds.begin(), cmds.end(), [](auto& a, auto& b) { return a.name < b.name; });
  for (auto& c : cmds) c.setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  } catch (const sb::UsageError& e) {
    std::cerr << "scalebench: usage error: " << e.what() << "\n";
    return 2;
  } catch (const sb::Error& e) {
    std::cerr << "scalebench: error: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "scalebench: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
