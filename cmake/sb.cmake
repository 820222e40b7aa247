# Helpers shared by module CMakeLists.
# sb_add_gtest(<name> SOURCES a.cc b.cc LIBS sb_x sb_y): one GoogleTest executable, registered
# with CTest test by test.  Tests find fixtures through SB_SOURCE_DIR and the scalebench binary
# (when built) through SB_BINARY.  NO_TEARDOWN: the executable's main ends through
# sb::exit_without_teardown (tests/support/gtest_main_no_teardown.cc) instead of gtest_main's
# return, for suites whose libraries keep threads that race static destructors (ONNX Runtime).
function(sb_add_gtest name)
  cmake_parse_arguments(A "NO_TEARDOWN" "" "SOURCES;LIBS" ${ARGN})
  if(A_NO_TEARDOWN)
    add_executable(${name} ${A_SOURCES} ${CMAKE_SOURCE_DIR}/tests/support/gtest_main_no_teardown.cc)
    target_link_libraries(${name} PRIVATE sb_util GTest::gtest GTest::gmock)
  else()
    add_executable(${name} ${A_SOURCES})
    target_link_libraries(${name} PRIVATE GTest::gtest GTest::gtest_main GTest::gmock)
  endif()
  target_include_directories(${name} PRIVATE ${CMAKE_SOURCE_DIR}/src ${CMAKE_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${A_LIBS})
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
