// util/hash — SHA-256 (OpenSSL libcrypto) of bytes and files, as lowercase hex.
#pragma once
#include <filesystem>
#include <string>
#include <string_view>

namespace sb {

std::string sha256_hex(std::string_view bytes);
std::string sha256_hex(const void* data, std::size_t size);
// Streams the file; throws sb::Error naming the path when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace sb
