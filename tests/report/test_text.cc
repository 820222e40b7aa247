// Escaping and number formatting: strings from records can never become markup.
#include <gtest/gtest.h>

#include "report/document.h"
#include "report/text.h"

namespace sb::report {
namespace {

TEST(Escape, HtmlNeutralizesMarkup) {
  EXPECT_EQ(escape_html("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
  EXPECT_EQ(escape_html("line1\nline2"), "line1 line2");
}

TEST(Escape, MarkdownNeutralizesMarkupAndTablePipes) {
  EXPECT_EQ(escape_markdown("<script>"), "\\<script\\>");
  EXPECT_EQ(escape_markdown("|a|b|"), "\\|a\\|b\\|");
  EXPECT_EQ(escape_markdown("*x* _y_ `z` [l](u) ~s~ &amp; $m$ !"),
            "\\*x\\* \\_y\\_ \\`z\\` \\[l\\](u) \\~s\\~ \\&amp; \\$m\\$ \\!");
  // Block markers only at the start; ordinary names stay readable.
  EXPECT_EQ(escape_markdown("native-cpu fp32"), "native-cpu fp32");
  EXPECT_EQ(escape_markdown("- item"), "\\- item");
  EXPECT_EQ(escape_markdown("# title"), "\\# title");
  EXPECT_EQ(escape_markdown("12. x"), "12\\. x");
  EXPECT_EQ(escape_markdown("-"), "\\-");
  EXPECT_EQ(escape_markdown("0.3057"), "0.3057");   // a number, not a list marker
  EXPECT_EQ(escape_markdown("-36.1%"), "-36.1%");
  EXPECT_EQ(escape_markdown("#1"), "\\#1");
  EXPECT_EQ(escape_markdown("a\\b"), "a\\\\b");
  EXPECT_EQ(escape_markdown("two\nlines"), "two lines");
}

TEST(Escape, GnuplotQuotes) {
  EXPECT_EQ(gnuplot_quote("it's"), "'it''s'");
  EXPECT_EQ(gnuplot_quote("a\nb"), "'a b'");
}

TEST(Document, RenderersEscapeEveryString) {
  Document d;
  d.title = "<b>t</b>";
  d.heading(2, "|h|");
  d.paragraph("<script>x</script>");
  d.list({"<i>"});
  d.table({"<th>"}, {{"|a|b|"}});
  d.code("```\n<code>");
  d.figure("figures/f.svg", "<cap>", "");
  std::string md = render_markdown(d), html = render_html(d);
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<b>t"), std::string::npos);
  EXPECT_EQ(html.find("<i>"), std::string::npos);
  EXPECT_EQ(html.find("<cap>"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;x&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(md.find("| \\|a\\|b\\| |"), std::string::npos);
  EXPECT_NE(md.find("\\<script\\>"), std::string::npos);
  EXPECT_NE(md.find("````text\n```\n<code>\n````"), std::string::npos);  // longer fence
  // A figure without SVG keeps its caption and links nothing.
  EXPECT_EQ(md.find("figures/f.svg"), std::string::npos);
}

TEST(Svg, InlineDropsProlog) {
  std::string svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"x\" \"y\">\n<svg>a</svg>\n";
  EXPECT_EQ(svg_for_inline(svg), "<svg>a</svg>\n");
}

TEST(Format, Numbers) {
  EXPECT_EQ(format_number(12.3456), "12.35");
  EXPECT_EQ(format_number(0.123456), "0.1235");
  EXPECT_EQ(format_number(1234.56), "1235");
  EXPECT_EQ(format_number(123456.0), "123456");
  EXPECT_EQ(format_number(9.99996), "10.00");   // carry into the next decade keeps 4 digits
  EXPECT_EQ(format_number(0.0), "0.000");
  EXPECT_EQ(format_number(1.5e-5), "1.500e-05");
  EXPECT_EQ(format_number(-2.5), "-2.500");
  EXPECT_EQ(format_fixed(-0.0001, 2), "0.00");
  EXPECT_EQ(format_p(0.00001), "< 0.0001");
  EXPECT_EQ(format_p(0.07939), "0.0794");
  EXPECT_EQ(format_params(102714), "102.7K");
  EXPECT_EQ(format_params(1.5e9), "1.50B");
  EXPECT_EQ(format_params(124439808), "124.4M");
  EXPECT_DOUBLE_EQ(round_for_json(1.23456789012345), 1.23456789);
  EXPECT_ANY_THROW(format_number(std::numeric_limits<double>::infinity()));
}

}  // namespace
}  // namespace sb::report
