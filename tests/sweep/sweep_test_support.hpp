// Helpers for the sweep tests: a private directory for spec and base files,
// and the message of the UsageError a call throws.
#pragma once

#include "resqunn/core/error.hpp"
#include "resqunn/sweep/spec.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <unistd.h>

namespace resqunn::sweep::testing {

/// The full message (problem and fix) of the UsageError `f` throws, or
/// "(no error)".
inline std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "(no error)";
}

/// A fresh directory per test, removed afterwards.
class SweepDir : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string(info->test_suite_name()) + "-" + info->name();
    for (char& c : name) {
      if (c == '/') c = '_';  // value-parameterised tests are named "Prefix/Suite.Test/3"
    }
    dir_ = std::filesystem::temp_directory_path() /
           ("resqunn-sweep-" + std::to_string(::getpid()) + "-" + name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path write(const std::string& name, const std::string& text) const {
    const auto path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  /// parse_sweep with this directory as the base directory.
  SweepSpec parse(const std::string& text) const { return parse_sweep(text, "s.toml", dir_); }

  std::filesystem::path dir_;
};

}  // namespace resqunn::sweep::testing
