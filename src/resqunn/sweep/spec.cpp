#include "resqunn/sweep/spec.hpp"

#include "resqunn/core/files.hpp"
#include "resqunn/core/sha256.hpp"
#include "resqunn/core/text.hpp"
#include "resqunn/sweep/detail/spec_parser.hpp"

namespace resqunn::sweep {

std::string describe_overrides(const std::vector<std::string>& overrides) {
  return overrides.empty() ? "base" : join(overrides);
}

SweepSpec parse_sweep(std::string_view text, const std::string& source_name,
                      const std::filesystem::path& base_dir) {
  return detail::Parser(text, source_name, base_dir).run();
}

SweepSpec load_sweep(const std::filesystem::path& file) {
  const std::string name = file.string();
  return parse_sweep(read_text_file(file, {"sweep spec '" + name + "'"}), name, file.parent_path());
}

std::string spec_digest(const SweepSpec& spec) {
  Sha256 h;
  h.update("resqunn-sweep v1\n");
  for (const auto& p : spec.points) {
    h.update(p.id);
    h.update("\n");
  }
  return h.hex();
}

}  // namespace resqunn::sweep
