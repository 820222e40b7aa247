// backends/external_backend — in-process handle on an external worker program (accuracy use).
#pragma once
#include <memory>

#include "backends/registry.h"

namespace sb::backends {

std::unique_ptr<Backend> make_external_backend(const BackendDescriptor& descriptor);

}  // namespace sb::backends
