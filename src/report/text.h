// report/text — escaping and number formatting shared by every report writer.
// Contract:
//  * escape_html / escape_markdown make ANY string from records, the manifest or accuracy files
//    (model ids, backends, error text) render as literal text: a model named `<script>` or
//    `|a|b|` shows those characters and nothing else.  Newlines and other control characters
//    become spaces (a table row must stay on one line).
//  * format_number is the one fixed number format: locale independent, deterministic
//    (fmt's shortest/fixed formatting, never printf with a locale).
#pragma once
#include <string>
#include <string_view>

namespace sb::report {

std::string escape_html(std::string_view s);
// Backslash-escapes the CommonMark/GFM characters that could start inline markup
// (\ ` * _ [ ] < > | ~ & $ !) anywhere, and block markers at the start ("#", and "- " "+ "
// "1. " "1) " when followed by a space or the end),
// so text is literal in paragraphs, list items and table cells alike.
std::string escape_markdown(std::string_view s);
// Quote for a single-quoted gnuplot string ('' escapes a quote); control characters -> space.
std::string gnuplot_quote(std::string_view s);

// `sig` significant digits, fixed notation for 1e-3 <= |x| < 1e9 (trailing zeros kept so
// columns align: 12.30), scientific otherwise (1.23e-05).  "-0" never appears.
std::string format_number(double x, int sig = 4);
// Fixed number of decimals (percentages, ratios): format_fixed(1.8349, 2) == "1.83".
std::string format_fixed(double x, int decimals);
// p-values: "< 0.0001" below 1e-4, else 4 decimals.
std::string format_p(double p);
// Parameter counts: 1.50B, 124.4M, 102.7K, 950.
std::string format_params(double params);
// Rounds to 9 significant digits for stats.json, so last-bit differences between platforms'
// libm do not change the file; non-finite values throw.
double round_for_json(double x);

}  // namespace sb::report
