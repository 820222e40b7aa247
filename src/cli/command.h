// cli/command — self-registering subcommands.
// Contract: each file cmd_<name>.cc defines one static CommandRegistration whose setup
// function adds a CLI11 subcommand (with its own --help and a callback).  main.cc wires them
// all; sb::UsageError and CLI11 parse errors exit 2, sb::Error exits 1 with its message.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

namespace sb::cli {

struct CommandRegistration {
  CommandRegistration(std::string name, std::function<void(CLI::App&)> setup);
};

struct RegisteredCommand {
  std::string name;
  std::function<void(CLI::App&)> setup;
};
std::vector<RegisteredCommand>& registered_commands();

// Path of the running scalebench binary (for spawning workers).
std::string self_executable();

}  // namespace sb::cli
