// report/document — a tiny document model rendered to Markdown and to self-contained HTML.
// Contract: every string in a Document is PLAIN TEXT; the renderers escape all of it
// (escape_markdown / escape_html), so no caller can inject markup, and report.md and
// report.html always carry the same content.  Figures carry their SVG text; HTML inlines it
// (XML prolog removed), Markdown links figures/<name>.svg.
#pragma once
#include <string>
#include <vector>

namespace sb::report {

struct Block {
  enum class Kind { kHeading, kParagraph, kList, kTable, kCode, kFigure };
  Kind kind = Kind::kParagraph;
  int level = 2;                                   // heading level
  std::string text;                                // heading/paragraph text, code, caption
  std::vector<std::string> items;                  // list items
  std::vector<std::string> header;                 // table header
  std::vector<std::vector<std::string>> rows;      // table rows
  std::string figure_file;                         // "figures/x.svg"
  std::string svg;                                 // empty: figure not available
};

class Document {
 public:
  std::string title;
  std::vector<Block> blocks;

  void heading(int level, std::string text);
  void paragraph(std::string text);
  void list(std::vector<std::string> items);
  void table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows);
  void code(std::string text);
  void figure(std::string file, std::string caption, std::string svg);
};

std::string render_markdown(const Document& d);
std::string render_html(const Document& d);
// Drops the <?xml ...?> prolog and <!DOCTYPE ...> so an SVG file can sit inside HTML.
std::string svg_for_inline(const std::string& svg);

}  // namespace sb::report
