// GoogleTest main for suites that use ONNX Runtime: the same as gtest_main, except that the
// process ends through sb::exit_without_teardown once every test has run, so ORT's background
// threads never race its static destructors (util/process_exit.h; ASan caught one such race as a
// heap-use-after-free in about one exit in ten of test_ort_static_kv).  Test results are decided
// by RUN_ALL_TESTS before that point; the leak check still runs under ASan.
#include <gtest/gtest.h>

#include "util/process_exit.h"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  const int rc = RUN_ALL_TESTS();
  sb::exit_without_teardown(rc);
}
