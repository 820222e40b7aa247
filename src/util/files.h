// util/files — small filesystem helpers with scalebench's error conventions.
// Contract: reads throw sb::Error naming the path; writes are atomic (temp file + fsync +
// rename) so a reader never sees a half-written file; append_line fsyncs before returning.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace sb {

std::string read_file(const std::filesystem::path& path);
// Writes `data` to `path` atomically: path.tmp.<pid> then rename.  Creates parent folders.
void write_file_atomic(const std::filesystem::path& path, std::string_view data);
// Appends one line (a '\n' is added) and fsyncs: used for append-only records.
void append_line_durable(const std::filesystem::path& path, std::string_view line);

// Read-only memory map of a whole file; unmapped on destruction.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace sb
