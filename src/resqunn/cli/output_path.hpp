// The results file a command writes: where it comes from (-o, else the
// config's default) and the rules every such path must keep, checked
// before anything is opened so that a wrong path is a usage error (exit 2)
// that names the option, not an HDF5 error about a file it should never
// have touched.
#pragma once

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace resqunn::cli {

/// CLI11 check for `-o`: refuses an empty value (`-o ""` would otherwise
/// fall back to the default silently).
CLI::Validator non_empty_path();

/// The results path a command writes: `given` (the value of -o; empty when
/// not given) or else `fallback` (from the config or spec, named by
/// `fallback_source`). UsageError unless it names an HDF5 file (.h5 or
/// .hdf5) that is not an existing directory and not one of `inputs` (the
/// config or spec the command reads).
std::filesystem::path results_path(const std::string& given, const std::string& fallback,
                                   const std::string& fallback_source,
                                   const std::vector<std::filesystem::path>& inputs);

}  // namespace resqunn::cli
