# Helpers shared by module CMakeLists.
# sb_add_gtest(<name> SOURCES a.cc b.cc LIBS sb_x sb_y): one GoogleTest executable, registered
# with CTest test by test.  Tests find fixtures through SB_SOURCE_DIR and the scalebench binary
# (when built) through SB_BINARY.
function(sb_add_gtest name)
  cmake_parse_arguments(A "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${A_SOURCES})
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${A_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE SB_SOURCE_DIR="${CMAKE_SOURCE_DIR}"
                             SB_BINARY="$<TARGET_FILE:scalebench>")
  set(env "")
  if(SB_SANITIZE)
    # Third-party leaks we cannot fix (tests/sanitizers/lsan.supp says which and why); child
    # processes (scalebench run's workers) inherit the same options.
    set(env ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_SOURCE_DIR}/tests/sanitizers/lsan.supp:print_suppressions=0")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 300 ${env})
endfunction()
