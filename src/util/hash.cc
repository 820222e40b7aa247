#include "util/hash.h"

#include <openssl/evp.h>

#include <array>
#include <fstream>
#include <memory>
#include <vector>

#include "util/error.h"

namespace sb {
namespace {
struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

std::string to_hex(const unsigned char* d, unsigned n) {
  static const char* digits = "0123456789abcdef";
  std::string s(2 * n, '0');
  for (unsigned i = 0; i < n; ++i) {
    s[2 * i] = digits[d[i] >> 4];
    s[2 * i + 1] = digits[d[i] & 15];
  }
  return s;
}
}  // namespace

std::string sha256_hex(const void* data, std::size_t size) {
  MdCtx ctx(EVP_MD_CTX_new());
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned n = 0;
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1 ||
      EVP_DigestUpdate(ctx.get(), data, size) != 1 ||
      EVP_DigestFinal_ex(ctx.get(), md.data(), &n) != 1)
    fail("sha256: OpenSSL digest failed");
  return to_hex(md.data(), n);
}

std::string sha256_hex(std::string_view bytes) { return sha256_hex(bytes.data(), bytes.size()); }

std::string sha256_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) fail("{}: cannot open to hash", path.string());
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
    fail("sha256: OpenSSL init failed");
  std::vector<char> buf(1 << 20);
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize got = in.gcount();
    if (got > 0 && EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<std::size_t>(got)) != 1)
      fail("sha256: OpenSSL update failed");
  }
  if (in.bad()) fail("{}: read error while hashing", path.string());
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned n = 0;
  if (EVP_DigestFinal_ex(ctx.get(), md.data(), &n) != 1) fail("sha256: OpenSSL final failed");
  return to_hex(md.data(), n);
}

}  // namespace sb
