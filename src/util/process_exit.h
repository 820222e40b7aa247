// util/process_exit — end a process without running static destructors.
// ONNX Runtime keeps background threads that outlive main(): once exit handlers start freeing its
// static objects, such a thread can read freed memory (ASan, 2026-11-27: a heap-use-after-free of
// a 27-byte static string in an ORT thread, about one exit in ten of an ORT test process), and on
// the GPU machine its CUDA teardown aborted processes after their work was done.  A process that
// has finished its work and used ORT ends through exit_without_teardown: streams flushed, the
// LeakSanitizer check run where the build has ASan (it would otherwise run from an exit handler),
// then _Exit.  Files are written atomically and closed before this point (util/files.h).
#pragma once

namespace sb {

[[noreturn]] void exit_without_teardown(int rc);

}  // namespace sb
