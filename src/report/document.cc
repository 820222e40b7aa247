#include "report/document.h"

#include <algorithm>

#include "report/text.h"

namespace sb::report {

void Document::heading(int level, std::string text) {
  Block b;
  b.kind = Block::Kind::kHeading;
  b.level = level;
  b.text = std::move(text);
  blocks.push_back(std::move(b));
}
void Document::paragraph(std::string text) {
  Block b;
  b.kind = Block::Kind::kParagraph;
  b.text = std::move(text);
  blocks.push_back(std::move(b));
}
void Document::list(std::vector<std::string> items) {
  Block b;
  b.kind = Block::Kind::kList;
  b.items = std::move(items);
  blocks.push_back(std::move(b));
}
void Document::table(std::vector<std::string> header, std::vector<std::vector<std::string>> rows) {
  Block b;
  b.kind = Block::Kind::kTable;
  b.header = std::move(header);
  b.rows = std::move(rows);
  blocks.push_back(std::move(b));
}
void Document::code(std::string text) {
  Block b;
  b.kind = Block::Kind::kCode;
  b.text = std::move(text);
  blocks.push_back(std::move(b));
}
void Document::figure(std::string file, std::string caption, std::string svg) {
  Block b;
  b.kind = Block::Kind::kFigure;
  b.figure_file = std::move(file);
  b.text = std::move(caption);
  b.svg = std::move(svg);
  blocks.push_back(std::move(b));
}

namespace {
std::string md_row(const std::vector<std::string>& cells, std::size_t width) {
  std::string s = "|";
  for (std::size_t i = 0; i < width; ++i)
    s += " " + (i < cells.size() ? escape_markdown(cells[i]) : std::string()) + " |";
  return s + "\n";
}
// A code fence longer than any backtick run inside the text.
std::string fence_for(const std::string& text) {
  std::size_t run = 0, best = 0;
  for (char c : text) {
    run = c == '`' ? run + 1 : 0;
    best = std::max(best, run);
  }
  return std::string(std::max<std::size_t>(3, best + 1), '`');
}
}  // namespace

std::string render_markdown(const Document& d) {
  std::string out = "# " + escape_markdown(d.title) + "\n\n";
  for (const auto& b : d.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading:
        out += std::string(static_cast<std::size_t>(std::clamp(b.level, 2, 6)), '#') + " " +
               escape_markdown(b.text) + "\n\n";
        break;
      case Block::Kind::kParagraph: out += escape_markdown(b.text) + "\n\n"; break;
      case Block::Kind::kList:
        for (const auto& it : b.items) out += "- " + escape_markdown(it) + "\n";
        out += "\n";
        break;
      case Block::Kind::kTable: {
        std::size_t w = b.header.size();
        out += md_row(b.header, w);
        out += "|";
        for (std::size_t i = 0; i < w; ++i) out += " --- |";
        out += "\n";
        for (const auto& r : b.rows) out += md_row(r, w);
        out += "\n";
        break;
      }
      case Block::Kind::kCode: {
        std::string f = fence_for(b.text);
        out += f + "text\n" + b.text + (b.text.empty() || b.text.back() != '\n' ? "\n" : "") + f +
               "\n\n";
        break;
      }
      case Block::Kind::kFigure:
        if (!b.svg.empty())
          out += "![" + escape_markdown(b.text) + "](" + b.figure_file + ")\n\n";
        out += "*" + escape_markdown(b.text) + "*\n\n";
        break;
    }
  }
  return out;
}

std::string svg_for_inline(const std::string& svg) {
  std::string s = svg;
  for (const char* open : {"<?xml", "<!DOCTYPE"}) {
    auto p = s.find(open);
    if (p == std::string::npos) continue;
    auto e = s.find('>', p);
    if (e == std::string::npos) continue;
    std::size_t end = e + 1;
    while (end < s.size() && (s[end] == '\n' || s[end] == '\r')) ++end;
    s.erase(p, end - p);
  }
  return s;
}

std::string render_html(const Document& d) {
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" +
         escape_html(d.title) + "</title>\n<style>\n";
  out += "body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1200px;"
         "margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\n"
         "table{border-collapse:collapse;margin:1em 0;font-size:0.9em}\n"
         "th,td{border:1px solid #ccc;padding:3px 7px;text-align:left;vertical-align:top}\n"
         "th{background:#f0f0f0}tr:nth-child(even) td{background:#fafafa}\n"
         "pre{background:#f6f6f6;padding:0.8em;overflow-x:auto;white-space:pre-wrap}\n"
         "figure{margin:1.5em 0}figcaption{font-style:italic;font-size:0.9em}\n"
         "svg{max-width:100%;height:auto}\n";
  out += "</style>\n</head>\n<body>\n<h1>" + escape_html(d.title) + "</h1>\n";
  for (const auto& b : d.blocks) {
    switch (b.kind) {
      case Block::Kind::kHeading: {
        std::string tag = "h" + std::to_string(std::clamp(b.level, 2, 6));
        out += "<" + tag + ">" + escape_html(b.text) + "</" + tag + ">\n";
        break;
      }
      case Block::Kind::kParagraph: out += "<p>" + escape_html(b.text) + "</p>\n"; break;
      case Block::Kind::kList:
        out += "<ul>\n";
        for (const auto& it : b.items) out += "<li>" + escape_html(it) + "</li>\n";
        out += "</ul>\n";
        break;
      case Block::Kind::kTable:
        out += "<table>\n<thead><tr>";
        for (const auto& h : b.header) out += "<th>" + escape_html(h) + "</th>";
        out += "</tr></thead>\n<tbody>\n";
        for (const auto& r : b.rows) {
          out += "<tr>";
          for (std::size_t i = 0; i < b.header.size(); ++i)
            out += "<td>" + (i < r.size() ? escape_html(r[i]) : std::string()) + "</td>";
          out += "</tr>\n";
        }
        out += "</tbody>\n</table>\n";
        break;
      case Block::Kind::kCode: out += "<pre><code>" + escape_html(b.text) + "</code></pre>\n"; break;
      case Block::Kind::kFigure:
        out += "<figure>\n";
        if (!b.svg.empty()) out += svg_for_inline(b.svg);
        out += "<figcaption>" + escape_html(b.text) + "</figcaption>\n</figure>\n";
        break;
    }
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace sb::report
