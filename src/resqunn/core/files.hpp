// Reading whole text files named by users (configs, sweep specs), with the
// errors every such reader gives: missing, a directory, unreadable.
#pragma once

#include <filesystem>
#include <string>
#include <utility>

namespace resqunn {

/// How read_text_file's errors name the file and what they suggest.
struct FileLabel {
  /// `name` starts every problem: "config file 'a.toml'", "'base.toml'";
  /// `missing_note` is appended when the file does not exist, e.g.
  /// " (looked for /runs/base.toml)".
  FileLabel(std::string file_name, std::string note = {},
            std::string fix = "check the path (relative paths start at the working directory)")
      : name(std::move(file_name)), missing_note(std::move(note)), missing_fix(std::move(fix)) {}

  std::string name;
  std::string missing_note;
  std::string missing_fix;
};

/// The bytes of `file`. Throws UsageError "<name> does not exist<note>",
/// "<name> is a directory" or "cannot read <name>", each with a fix.
std::string read_text_file(const std::filesystem::path& file, const FileLabel& label);

}  // namespace resqunn
