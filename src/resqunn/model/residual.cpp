#include "resqunn/model/residual.hpp"

#include "resqunn/core/error.hpp"

#include <algorithm>
#include <cctype>

namespace resqunn::model {

namespace {

const char* const kGrammarHint =
    "write sums of X and O1..OL with + and parentheses, several separated by ';', "
    "e.g. \"X+O1\", \"O1+O2\", \"(X+O1)+O2\", or \"none\"";

// An expression as parsed: its nodes (ascending) and its canonical text.
struct Expr {
  std::vector<int> nodes;
  std::string text;  // canonical: terms ordered by their largest node
  bool sum = false;  // has a '+' (a child sum is parenthesised)
};

// Recursive descent over the grammar in residual.hpp. Every sum it meets is
// recorded with its nodes; columns in messages are 1-based. It also prints
// the text in canonical form (canonical_residual).
class Parser {
public:
  Parser(std::string_view text, int layers) : text_(text), layers_(layers) {}

  std::vector<std::vector<int>> parse() {
    std::vector<Expr> top;
    for (;;) {
      skip_space();
      Expr e = expr();
      // A lone term (e.g. "O2") is a sum of one: it names a consumer too.
      if (e.nodes.size() == 1) record(e.nodes);
      top.push_back(std::move(e));
      skip_space();
      if (at_end()) break;
      if (peek() != ';') fail("expected '+', ';' or the end");
      ++pos_;
    }
    // Sums by their consumer (the largest node), each once.
    std::stable_sort(top.begin(), top.end(),
                     [](const Expr& a, const Expr& b) { return a.nodes.back() < b.nodes.back(); });
    for (const Expr& e : top) {
      if (canonical_.empty() || canonical_.substr(canonical_.rfind(';') + 1) != e.text) {
        canonical_ += (canonical_.empty() ? "" : ";") + e.text;
      }
    }
    return sums_;
  }

  const std::string& canonical() const { return canonical_; }

private:
  Expr expr() {
    std::vector<Expr> terms{term()};
    std::vector<int> nodes = terms.front().nodes;
    for (;;) {
      skip_space();
      if (at_end() || peek() != '+') break;
      ++pos_;
      const std::size_t at = pos_;
      terms.push_back(term());
      for (int n : terms.back().nodes) {
        if (std::find(nodes.begin(), nodes.end(), n) != nodes.end()) {
          pos_ = at;
          skip_space();
          fail(node_name(n) + " appears twice in one sum");
        }
        nodes.push_back(n);
      }
    }
    std::sort(nodes.begin(), nodes.end());
    if (terms.size() == 1) return std::move(terms.front());
    record(nodes);
    // Terms have disjoint nodes: their largest nodes order them uniquely.
    std::sort(terms.begin(), terms.end(),
              [](const Expr& a, const Expr& b) { return a.nodes.back() < b.nodes.back(); });
    Expr e{nodes, {}, true};
    for (const Expr& t : terms) {
      e.text += (e.text.empty() ? "" : "+") + (t.sum ? "(" + t.text + ")" : t.text);
    }
    return e;
  }

  Expr term() {
    skip_space();
    if (at_end()) fail("expected X, O1..O" + std::to_string(layers_) + " or '('");
    const char c = peek();
    if (c == '(') {
      // Each level is a recursion; unbounded nesting would overflow the
      // stack (found by fuzzing). No wiring needs more levels than nodes.
      if (++depth_ > kMaxNesting) {
        fail("parentheses nested more than " + std::to_string(kMaxNesting) + " deep");
      }
      ++pos_;
      Expr e = expr();
      skip_space();
      if (at_end() || peek() != ')') fail("expected ')'");
      ++pos_;
      --depth_;
      return e;
    }
    if (c == 'X' || c == 'x') {
      ++pos_;
      return {{0}, "X", false};
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
      return {{static_cast<int>(index)}, node_name(static_cast<int>(index)), false};
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
  static constexpr int kMaxNesting = 64;
  int layers_;
  std::size_t pos_ = 0;
  int depth_ = 0;  // open parentheses around the term being parsed
  std::vector<std::vector<int>> sums_;
  std::string canonical_;
};

bool is_none(std::string_view text) {
  std::size_t b = 0, e = text.size();
  while (b < e && std::isspace(static_cast<unsigned char>(text[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(text[e - 1]))) --e;
  const auto t = text.substr(b, e - b);
  return t.empty() || t == "none";
}

// The grammar's own spelling: upper-case X and O, no spaces, "none" for
// the plain chain. Anything else that parses is refused with its canonical
// form as the suggestion, so that one wiring has one spelling (and one id).
void require_spelling(std::string_view text, const std::string& canonical) {
  const bool spaced = std::any_of(
      text.begin(), text.end(), [](char c) { return std::isspace(static_cast<unsigned char>(c)); });
  const bool lower = text != "none" && std::any_of(text.begin(), text.end(),
                                                   [](char c) { return c == 'x' || c == 'o'; });
  if (!text.empty() && !spaced && !lower) return;
  const std::string why = text.empty() ? "an empty wiring"
                          : spaced     ? "spaces are not part of the grammar"
                                       : "X and O are upper case";
  throw UsageError(
      "residual \"" + std::string(text) + "\": " + why + " (did you mean \"" + canonical + "\"?)",
      kGrammarHint);
}

std::string canonical_of(std::string_view text, int layers) {
  if (is_none(text)) return "none";
  Parser p(text, layers);
  (void)p.parse();
  return p.canonical();
}

}  // namespace

std::string canonical_residual(std::string_view text, int layers) {
  (void)parse_residual(text, layers);  // every check, conflicts between sums included
  return canonical_of(text, layers);
}

std::string node_name(int node) { return node == 0 ? "X" : "O" + std::to_string(node); }

std::string sum_name(const std::vector<int>& nodes) {
  std::string s;
  for (int n : nodes) s += (s.empty() ? "" : "+") + node_name(n);
  return s;
}

Wiring parse_residual(std::string_view text, int layers) {
  if (layers < 1) throw UsageError("a residual wiring needs at least one layer");
  require_spelling(text, canonical_of(text, layers));
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
