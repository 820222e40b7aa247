// util/error — the one error type of scalebench.
// Contract: every failure a user can cause (bad file, bad option, bad tensor) is thrown as
// sb::Error with a message that names the file/field/tensor, what was expected and what was
// found.  The CLI maps sb::Error to exit code 1 and sb::UsageError to exit code 2.
#pragma once
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace sb {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Wrong command line or option combination: exit code 2.
class UsageError : public Error {
 public:
  using Error::Error;
};

// Throws sb::Error with a fmt-formatted message.
template <typename... Args>
[[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace sb
