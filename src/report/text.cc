#include "report/text.h"

#include <cmath>
#include <cstdlib>
#include <string_view>

#include <fmt/format.h>

#include "util/error.h"

namespace sb::report {

namespace {
bool is_control(unsigned char c) { return c < 0x20 || c == 0x7f; }
}  // namespace

std::string escape_html(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += is_control(c) ? ' ' : ch;
    }
  }
  return out;
}

std::string escape_markdown(std::string_view s) {
  // Inline markup characters are escaped anywhere; block markers (- + # and "1." / "1)") only
  // where they could open a block, at the start of the text, so ordinary names like
  // "native-cpu" stay readable in the .md source.
  static constexpr std::string_view kInline = "\\`*_[]<>|~&$!";
  std::string out;
  out.reserve(s.size() + 8);
  // A block marker only counts when followed by a space or the end of the text.
  auto marker_end = [&](std::size_t i) { return i + 1 >= s.size() || s[i + 1] == ' '; };
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9') ++digits;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char ch = s[i];
    auto c = static_cast<unsigned char>(ch);
    bool block_start = (i == 0 && ch == '#') ||
                       (i == 0 && (ch == '-' || ch == '+') && marker_end(i)) ||
                       (i == digits && digits > 0 && (ch == '.' || ch == ')') && marker_end(i));
    if (is_control(c)) {
      out += ' ';
    } else if (block_start || kInline.find(ch) != std::string_view::npos) {
      out += '\\';
      out += ch;
    } else {
      out += ch;
    }
  }
  return out;
}

std::string gnuplot_quote(std::string_view s) {
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'') out += "''";
    else out += is_control(static_cast<unsigned char>(ch)) ? ' ' : ch;
  }
  out += "'";
  return out;
}

std::string format_number(double x, int sig) {
  if (!std::isfinite(x)) fail("format_number: non-finite value {}", x);
  if (x == 0.0) return sig > 1 ? fmt::format("{:.{}f}", 0.0, sig - 1) : "0";
  double ax = std::fabs(x);
  if (ax < 1e-3 || ax >= 1e9) return fmt::format("{:.{}e}", x, sig - 1);
  int magnitude = static_cast<int>(std::floor(std::log10(ax)));
  // Rounding can carry into the next decade (9.9996 -> 10.00): recompute from the rounded value.
  int decimals = std::max(0, sig - 1 - magnitude);
  std::string s = fmt::format("{:.{}f}", x, decimals);
  double rounded = std::fabs(std::strtod(s.c_str(), nullptr));
  if (rounded > 0 && static_cast<int>(std::floor(std::log10(rounded))) > magnitude && decimals > 0)
    s = fmt::format("{:.{}f}", x, decimals - 1);
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);
  return s;
}

std::string format_fixed(double x, int decimals) {
  if (!std::isfinite(x)) fail("format_fixed: non-finite value {}", x);
  std::string s = fmt::format("{:.{}f}", x, decimals);
  if (s.find_first_not_of("-0.") == std::string::npos && s[0] == '-') s.erase(0, 1);
  return s;
}

std::string format_p(double p) {
  if (p < 1e-4) return "< 0.0001";
  return format_fixed(p, 4);
}

std::string format_params(double p) {
  if (p >= 1e9) return format_fixed(p / 1e9, 2) + "B";
  if (p >= 1e6) return format_fixed(p / 1e6, 1) + "M";
  if (p >= 1e3) return format_fixed(p / 1e3, 1) + "K";
  return format_fixed(p, 0);
}

double round_for_json(double x) {
  if (!std::isfinite(x)) fail("stats.json: non-finite value {}", x);
  return std::strtod(fmt::format("{:.9g}", x).c_str(), nullptr);
}

}  // namespace sb::report
