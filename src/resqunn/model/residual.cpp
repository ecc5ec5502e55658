#include "resqunn/model/residual.hpp"

#include "resqunn/core/error.hpp"

#include <algorithm>
#include <cctype>

namespace resqunn::model {

namespace {

const char* const kGrammarHint =
    "write sums of X and O1..OL with + and parentheses, several separated by ';', "
    "e.g. \"X+O1\", \"O1+O2\", \"(X+O1)+O2\", or \"none\"";

// Recursive descent over the grammar in residual.hpp. Every sum it meets is
// recorded with its nodes; columns in messages are 1-based.
class Parser {
public:
  Parser(std::string_view text, int layers) : text_(text), layers_(layers) {}

  std::vector<std::vector<int>> parse() {
    for (;;) {
      skip_space();
      const auto nodes = expr();
      // A lone term (e.g. "O2") is a sum of one: it names a consumer too.
      if (nodes.size() == 1) record(nodes);
      skip_space();
      if (at_end()) break;
      if (peek() != ';') fail("expected '+', ';' or the end");
      ++pos_;
    }
    return sums_;
  }

private:
  std::vector<int> expr() {
    std::vector<int> nodes = term();
    bool summed = false;
    for (;;) {
      skip_space();
      if (at_end() || peek() != '+') break;
      ++pos_;
      const std::size_t at = pos_;
      for (int n : term()) {
        if (std::find(nodes.begin(), nodes.end(), n) != nodes.end()) {
          pos_ = at;
          skip_space();
          fail(node_name(n) + " appears twice in one sum");
        }
        nodes.push_back(n);
      }
      summed = true;
    }
    std::sort(nodes.begin(), nodes.end());
    if (summed) record(nodes);
    return nodes;
  }

  std::vector<int> term() {
    skip_space();
    if (at_end()) fail("expected X, O1..O" + std::to_string(layers_) + " or '('");
    const char c = peek();
    if (c == '(') {
      ++pos_;
      auto nodes = expr();
      skip_space();
      if (at_end() || peek() != ')') fail("expected ')'");
      ++pos_;
      return nodes;
    }
    if (c == 'X' || c == 'x') {
      ++pos_;
      return {0};
    }
    if (c == 'O' || c == 'o') {
      const std::size_t start = pos_++;
      long index = 0;
      std::size_t digits = 0;
      while (!at_end() && std::isdigit(static_cast<unsigned char>(peek())) && digits < 6) {
        index = index * 10 + (peek() - '0');
        ++pos_;
        ++digits;
      }
      if (digits == 0 || index < 1 || index > layers_) {
        pos_ = start;
        fail("expected O1..O" + std::to_string(layers_) + " (the model has " +
             std::to_string(layers_) + (layers_ == 1 ? " layer)" : " layers)"));
      }
      return {static_cast<int>(index)};
    }
    fail("expected X, O1..O" + std::to_string(layers_) + " or '('");
  }

  void record(const std::vector<int>& nodes) { sums_.push_back(nodes); }

  [[noreturn]] void fail(const std::string& what) const {
    throw UsageError("residual \"" + std::string(text_) + "\": " + what + " at column " +
                         std::to_string(pos_ + 1),
                     kGrammarHint);
  }

  void skip_space() {
    while (!at_end() && std::isspace(static_cast<unsigned char>(peek()))) ++pos_;
  }
  bool at_end() const { return pos_ >= text_.size(); }
  char peek() const { return text_[pos_]; }

  std::string_view text_;
  int layers_;
  std::size_t pos_ = 0;
  std::vector<std::vector<int>> sums_;
};

bool is_none(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  const auto t = text.substr(b, e - b);
  return t.empty() || t == "none";
}

}  // namespace

std::string node_name(int node) { return node == 0 ? "X" : "O" + std::to_string(node); }

std::string sum_name(const std::vector<int>& nodes) {
  std::string s;
  for (int n : nodes) s += (s.empty() ? "" : "+") + node_name(n);
  return s;
}

Wiring parse_residual(std::string_view text, int layers) {
  if (layers < 1) throw UsageError("a residual wiring needs at least one layer");
  Wiring w;
  w.layers = layers;
  w.sources.resize(static_cast<std::size_t>(layers) + 1);
  std::vector<bool> set(w.sources.size(), false);
  if (!is_none(text)) {
    for (const auto& nodes : Parser(text, layers).parse()) {
      // The consumer of a sum is the layer after its largest node, or the head.
      const int consumer = nodes.back();
      if (set[consumer] && w.sources[consumer] != nodes) {
        const std::string who =
            consumer == layers ? "the head" : "layer " + std::to_string(consumer + 1);
        throw UsageError("residual \"" + std::string(text) + "\": the input of " + who +
                             " is given twice (" + sum_name(w.sources[consumer]) + " and " +
                             sum_name(nodes) + ")",
                         "give each consumer at most one sum");
      }
      set[consumer] = true;
      w.sources[consumer] = nodes;
    }
  }
  for (int k = 0; k <= layers; ++k) {
    if (!set[k]) w.sources[k] = {k};  // plain chain: layer k+1 reads O_k (X for k = 0)
  }
  return w;
}

}  // namespace resqunn::model
