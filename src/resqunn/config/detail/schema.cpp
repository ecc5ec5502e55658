#include "resqunn/config/detail/schema.hpp"

#include "resqunn/core/text.hpp"

#include <stdexcept>

namespace resqunn::config::detail {

namespace {

// The shared quanvolution settings (QuanvSpec's fields but depth).
const std::vector<std::string>& quanv_keys() {
  static const std::vector<std::string> keys = {
      "kernel",      "stride", "padding",   "encoding",     "angle_axis",
      "angle_scale", "ansatz", "trainable", "channel_mode", "evaluator"};
  return keys;
}

// [[model.layers]] entries: the shared settings plus the layer's depth.
std::vector<std::string> layer_keys() {
  std::vector<std::string> keys = {"depth"};
  keys.insert(keys.end(), quanv_keys().begin(), quanv_keys().end());
  return keys;
}

}  // namespace

const std::vector<TableSchema>& schema() {
  static const std::vector<TableSchema> tables = {
      {"", {"data", "model", "train", "trace", "output"}},
      {"data", {"dataset", "image_size", "classes", "train", "validation", "seed"}},
      {"model", {"depths", "residual", "gradient_mode", "seed", "quanv", "layers", "head"}},
      {"model.quanv", quanv_keys()},
      {"model.layers[]", layer_keys()},
      {"model.head", {"type", "ansatz", "depth", "evaluator"}},
      {"train",
       {"optimizer", "lr", "beta1", "beta2", "eps", "momentum", "batch_size", "micro_batch",
        "epochs", "seed"}},
      {"trace", {"full"}},
      {"output", {"path"}},
  };
  return tables;
}

const std::vector<std::string>& schema_keys(std::string_view path) {
  for (const auto& t : schema()) {
    if (t.path == path) return t.keys;
  }
  throw std::logic_error("resqunn::config: no schema table '" + std::string(path) + "'");
}

std::string closest_key_anywhere(std::string_view key) {
  std::vector<std::string> names;
  std::vector<std::string> paths;
  for (const auto& t : schema()) {
    for (const auto& k : t.keys) {
      std::string table(t.path);
      if (table == "model.layers[]") table = "model.layers[i]";
      names.push_back(k);
      paths.push_back(table.empty() ? k : table + "." + k);
    }
  }
  const std::string near = closest_match(key, names);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == near) return paths[i];
  }
  return {};
}

}  // namespace resqunn::config::detail
