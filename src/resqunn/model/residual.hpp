// The residual grammar: which sum of the input X and the layer outputs
// O1..OL each quanvolution layer and the head read.
//
//   config := "none" | expr (";" expr)*
//   expr   := term ("+" term)*
//   term   := "X" | "O" index | "(" expr ")"
//
// Every sum (a top-level expression, or a parenthesised one with at least
// two terms) is wired by its largest index m: if m < L it becomes the input
// of layer m+1, if m == L the head's input. Consumers no sum names keep the
// plain chain (layer k reads O(k-1), X for k = 1; the head reads OL). So
// with L = 2, "(X+O1)+O2" feeds X+O1 into layer 2 and X+O1+O2 into the head.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace resqunn::model {

/// Node 0 is the input X, node i (1..L) the output O_i of layer i.
struct Wiring {
  int layers = 0;
  /// sources[k] (k = 0..L-1): the nodes summed into layer k+1's input;
  /// sources[L]: the head's input. Ascending, no duplicates, never empty.
  std::vector<std::vector<int>> sources;

  const std::vector<int>& layer_input(int layer) const { return sources.at(layer); }
  const std::vector<int>& head_input() const { return sources.at(layers); }
};

/// Parses `text` for a model of `layers` quanvolution layers. Throws
/// UsageError pointing at the column ("expected O1..O2 (the model has 2
/// layers) at column 5"), on sums that target a consumer twice or name a
/// node twice, and on spellings outside the grammar (canonical_residual).
Wiring parse_residual(std::string_view text, int layers);

/// The one spelling of a wiring: every sum's terms ordered by their largest
/// node (so "O2+O1" is "O1+O2", "O2+(X+O1)" is "(X+O1)+O2"), the
/// ';'-separated sums ordered by their consumer, each once; "none" for the
/// plain chain. Run configs store it, so equal wirings get one point id.
/// Throws UsageError as parse_residual, and for text outside the grammar's
/// spelling (spaces, lower case, empty), suggesting the canonical form.
std::string canonical_residual(std::string_view text, int layers);

/// "X", "O2", "X+O1+O2".
std::string node_name(int node);
std::string sum_name(const std::vector<int>& nodes);

}  // namespace resqunn::model
