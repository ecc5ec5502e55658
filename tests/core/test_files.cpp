// read_text_file (core/files.hpp): whole files byte for byte (empty, CRLF,
// NUL and high bytes), and the UsageErrors for a missing file (the label's
// note and fix), a directory, and an unreadable file.
#include "resqunn/core/error.hpp"
#include "resqunn/core/files.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>

namespace resqunn {
namespace {

namespace fs = std::filesystem;

class ReadTextFile : public ::testing::Test {
protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("resqunn-core-files-" + std::to_string(::getpid()) + "-" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    std::error_code ec;
    fs::permissions(dir_ / "locked.toml", fs::perms::owner_all, ec);
    fs::remove_all(dir_);
  }

  fs::path write(const std::string& name, const std::string& bytes) {
    const fs::path p = dir_ / name;
    std::ofstream out(p, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    EXPECT_TRUE(out.good()) << p;
    return p;
  }

  fs::path dir_;
};

TEST_F(ReadTextFile, ReturnsTheBytesExactly) {
  const std::string text = "a = 1\r\nb = \"x\"\n\t# no newline at the end \xc3\xa9\xff";
  EXPECT_EQ(read_text_file(write("a.toml", text), FileLabel("'a.toml'")), text);
}

TEST_F(ReadTextFile, EmptyFileIsEmptyText) {
  EXPECT_EQ(read_text_file(write("empty.toml", ""), FileLabel("'empty.toml'")), "");
}

TEST_F(ReadTextFile, KeepsNulBytes) {
  const std::string bytes("\0a\0\0b\n\0", 7);
  const std::string got = read_text_file(write("nul.bin", bytes), FileLabel("'nul.bin'"));
  EXPECT_EQ(got.size(), 7u);
  EXPECT_EQ(got, bytes);
}

TEST_F(ReadTextFile, LargerThanOneBuffer) {
  std::string big;
  for (int i = 0; i < 200000; ++i) big += static_cast<char>('a' + i % 26);
  EXPECT_EQ(read_text_file(write("big.txt", big), FileLabel("'big.txt'")), big);
}

TEST_F(ReadTextFile, MissingFileUsesTheLabel) {
  const fs::path missing = dir_ / "base.toml";
  const FileLabel label("config file 'base.toml'", " (looked for " + missing.string() + ")",
                        "write base.toml next to the sweep spec");
  try {
    (void)read_text_file(missing, label);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.problem(),
              "config file 'base.toml' does not exist (looked for " + missing.string() + ")");
    EXPECT_EQ(e.fix(), "write base.toml next to the sweep spec");
  }
}

TEST_F(ReadTextFile, MissingFileDefaultNoteAndFix) {
  const FileLabel label("'nowhere.toml'");
  EXPECT_EQ(label.missing_note, "");
  try {
    (void)read_text_file(dir_ / "nowhere.toml", label);
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.problem(), "'nowhere.toml' does not exist");
    EXPECT_EQ(e.fix(), label.missing_fix);
    EXPECT_FALSE(e.fix().empty());
  }
}

TEST_F(ReadTextFile, DanglingSymlinkDoesNotExist) {
  const fs::path link = dir_ / "link.toml";
  fs::create_symlink(dir_ / "gone.toml", link);
  try {
    (void)read_text_file(link, FileLabel("'link.toml'"));
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.problem(), "'link.toml' does not exist");
  }
}

TEST_F(ReadTextFile, DirectoryIsAnError) {
  fs::create_directories(dir_ / "configs");
  try {
    (void)read_text_file(dir_ / "configs", FileLabel("'configs'", " (unused note)", "unused fix"));
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.problem(), "'configs' is a directory");
    EXPECT_NE(e.fix(), "unused fix");  // the missing-file fix is for missing files
    EXPECT_FALSE(e.fix().empty());
  }
}

TEST_F(ReadTextFile, UnreadableFileIsAnError) {
  const fs::path p = write("locked.toml", "x = 1\n");
  fs::permissions(p, fs::perms::none);
  if (std::ifstream(p).is_open()) GTEST_SKIP() << "running with permission to read any file";
  try {
    (void)read_text_file(p, FileLabel("'locked.toml'"));
    FAIL() << "expected UsageError";
  } catch (const UsageError& e) {
    EXPECT_EQ(e.problem(), "cannot read 'locked.toml'");
    EXPECT_FALSE(e.fix().empty());
  }
}

}  // namespace
}  // namespace resqunn
