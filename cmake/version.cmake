# Writes src/util/version.h's build provenance (cmake -P, run by target sb_version on every build
# and once at configure time). The git SHA used to be read only at configure time, so an
# incremental build after new commits stamped every manifest with an older commit (found
# 2026-11-26: a binary built from 0c11d64 reported db669e7). configure_file rewrites the header
# only when its text changes, so an unchanged tree recompiles nothing.
# Inputs (-D): SRC (source root), IN, OUT, PROJECT_VERSION, CMAKE_BUILD_TYPE,
# CMAKE_CXX_COMPILER_ID, CMAKE_CXX_COMPILER_VERSION, SB_SANITIZE.
execute_process(COMMAND git rev-parse --short=12 HEAD WORKING_DIRECTORY "${SRC}"
                OUTPUT_VARIABLE SB_GIT_SHA OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
if(NOT SB_GIT_SHA)
  set(SB_GIT_SHA "unknown")
else()
  # Uncommitted changes to the code that goes into the binary make it a different build.
  execute_process(COMMAND git status --porcelain --untracked-files=no -- src cmake CMakeLists.txt
                  WORKING_DIRECTORY "${SRC}" OUTPUT_VARIABLE sb_dirty
                  OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(sb_dirty)
    string(APPEND SB_GIT_SHA "-dirty")
  endif()
endif()
configure_file("${IN}" "${OUT}" @ONLY)
