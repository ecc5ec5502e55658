// The HDF5 wrapper: typed round trips (whole, by block, scalars, UTF-8),
// fill values, storage as requested (checked through the C API), files from
// other writers, and error messages that name the file, the object and the
// operation without HDF5 printing its own stack.
#include "resqunn/core/error.hpp"
#include "resqunn/io/hdf5.hpp"

#include "temp_dir.hpp"
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <hdf5.h>

#include <cmath>
#include <fstream>

namespace resqunn::io::h5 {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;

class Hdf5 : public io::testing::TempDir {
protected:
  std::filesystem::path file() const { return dir_ / "test.h5"; }
};

TEST(ChunkShape, KeepsWholeTrailingDimensionsThatFit) {
  // 8-byte elements, 1 KiB target: a row of 4 x 8 fits 4 times.
  EXPECT_EQ(chunk_shape({100, 4, 8}, 8, 1024), (Dims{4, 4, 8}));
  // A trailing dimension larger than the target is split.
  EXPECT_EQ(chunk_shape({10, 1000}, 8, 1024), (Dims{1, 128}));
  // Everything fits.
  EXPECT_EQ(chunk_shape({3, 4}, 8, 1024), (Dims{3, 4}));
  // A single element larger than the target still makes a chunk of one.
  EXPECT_EQ(chunk_shape({5}, 4096, 1024), (Dims{1}));
}

TEST(ChunkShape, IsContiguousForScalarsAndEmptyExtents) {
  EXPECT_TRUE(chunk_shape({}, 8, 1024).empty());
  EXPECT_TRUE(chunk_shape({10, 0}, 8, 1024).empty());
}

TEST_F(Hdf5, NumbersRoundTripWholeAndByBlockWithFillValues) {
  {
    auto f = File::create(file(), false);
    Storage chunked;
    chunked.chunk = {1, 4};
    auto doubles = f.create_dataset("doubles", ElementType::float64, {3, 4}, chunked);
    doubles.write_block({1, 0}, {1, 4}, std::vector<double>{1.5, -2, 0, 1e300});
    auto ints = f.create_dataset("ints", ElementType::int64, {2, 2});
    ints.write_block({0, 1}, {2, 1}, std::vector<std::int64_t>{7, INT64_MIN});
    Storage zero_fill;
    zero_fill.fill_int64 = 0;
    f.create_dataset("zeros", ElementType::int64, {2}, zero_fill);
    f.close();
  }
  const auto f = File::open(file(), Access::read_only);
  const auto doubles = f.open_dataset("doubles");
  EXPECT_EQ(doubles.dims(), (Dims{3, 4}));
  EXPECT_EQ(doubles.element_type(), ElementType::float64);
  const auto all = doubles.read<double>();
  ASSERT_EQ(all.size(), 12u);
  for (int i : {0, 1, 2, 3, 8, 9, 10, 11}) EXPECT_TRUE(std::isnan(all[i])) << i;
  EXPECT_EQ(doubles.read_block<double>({1, 1}, {1, 3}), (std::vector<double>{-2, 0, 1e300}));
  EXPECT_EQ(f.open_dataset("ints").read<std::int64_t>(),
            (std::vector<std::int64_t>{-1, 7, -1, INT64_MIN}));
  // Integers read as doubles (widening); doubles are not read as integers.
  EXPECT_EQ(f.open_dataset("ints").read_block<double>({0, 1}, {1, 1}), (std::vector<double>{7}));
  EXPECT_EQ(f.open_dataset("zeros").read<std::int64_t>(), (std::vector<std::int64_t>{0, 0}));
}

TEST_F(Hdf5, StringsRoundTripAsUtf8AndReadEmptyWhereUnwritten) {
  {
    auto f = File::create(file(), false);
    auto texts = f.create_dataset("texts", ElementType::string, {4});
    texts.write_block({1}, {2}, std::vector<std::string>{"grüße ✓", ""});
    f.create_dataset("scalar", ElementType::string, {})
        .write(std::vector<std::string>{"a = 1\n[b]\nc = \"d\"\n"});
    f.close();
  }
  {
    const auto f = File::open(file(), Access::read_only);
    EXPECT_EQ(f.open_dataset("texts").read<std::string>(),
              (std::vector<std::string>{"", "grüße ✓", "", ""}));
    const auto scalar = f.open_dataset("scalar");
    EXPECT_TRUE(scalar.dims().empty());
    EXPECT_EQ(scalar.read<std::string>(), (std::vector<std::string>{"a = 1\n[b]\nc = \"d\"\n"}));
  }

  // Stored as variable-length UTF-8, which h5py reads as str.
  const hid_t raw = H5Fopen(file().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const hid_t dataset = H5Dopen2(raw, "texts", H5P_DEFAULT);
  const hid_t type = H5Dget_type(dataset);
  EXPECT_GT(H5Tis_variable_str(type), 0);
  EXPECT_EQ(H5Tget_cset(type), H5T_CSET_UTF8);
  H5Tclose(type);
  H5Dclose(dataset);
  H5Fclose(raw);
}

TEST_F(Hdf5, AttributesRoundTripAndAreOverwritten) {
  {
    auto f = File::create(file(), false);
    auto group = f.create_group("g");
    group.set_attribute("text", std::string("first"));
    group.set_attribute("text", std::string("second, longer"));  // in place
    group.set_attribute("names", std::vector<std::string>{"a", "b", "c"});
    group.set_attribute("names", std::vector<std::string>{"x"});  // replaced: other extents
    group.set_attribute("empty", std::vector<std::string>{});
    group.set_attribute("count", std::int64_t{-42});
    f.set_attribute("root", std::string("on /"));
    f.close();
  }
  const auto f = File::open(file(), Access::read_only);
  const auto group = f.open_group("g");
  EXPECT_EQ(group.path(), "/g");
  EXPECT_EQ(group.attribute<std::string>("text"), "second, longer");
  EXPECT_EQ(group.attribute<std::vector<std::string>>("names"), (std::vector<std::string>{"x"}));
  EXPECT_TRUE(group.attribute<std::vector<std::string>>("empty").empty());
  EXPECT_EQ(group.attribute<std::int64_t>("count"), -42);
  EXPECT_EQ(f.attribute<std::string>("root"), "on /");
  EXPECT_TRUE(group.has_attribute("count"));
  EXPECT_FALSE(group.has_attribute("missing"));
  EXPECT_THROW(group.attribute<std::string>("missing"), DataError);
  EXPECT_THROW(group.attribute<std::int64_t>("text"), DataError);
  EXPECT_THROW(group.attribute<std::string>("count"), DataError);
}

TEST_F(Hdf5, StorageIsChunkedAndAllocatedAtCreationAsAsked) {
  {
    auto f = File::create(file(), false);
    Storage chunked;
    chunked.chunk = {2, 3};
    f.create_dataset("chunked", ElementType::float64, {10, 3}, chunked);
    f.create_dataset("contiguous", ElementType::float64, {10, 3});
    Storage lazy;
    lazy.allocate_at_creation = false;
    lazy.chunk = {5, 3};
    f.create_dataset("lazy", ElementType::float64, {10, 3}, lazy);
    f.close();
  }
  const hid_t f = H5Fopen(file().c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  ASSERT_GE(f, 0);
  const auto inspect = [&](const char* name, H5D_layout_t layout, H5D_space_status_t status) {
    const hid_t dataset = H5Dopen2(f, name, H5P_DEFAULT);
    const hid_t properties = H5Dget_create_plist(dataset);
    EXPECT_EQ(H5Pget_layout(properties), layout) << name;
    H5D_space_status_t allocated{};
    H5Dget_space_status(dataset, &allocated);
    EXPECT_EQ(allocated, status) << name;
    if (layout == H5D_CHUNKED) {
      hsize_t chunk[2] = {};
      H5Pget_chunk(properties, 2, chunk);
      EXPECT_EQ(chunk[1], 3u) << name;
    }
    double fill = 0;
    H5Pget_fill_value(properties, H5T_NATIVE_DOUBLE, &fill);
    EXPECT_TRUE(std::isnan(fill)) << name;
    H5Pclose(properties);
    H5Dclose(dataset);
  };
  inspect("chunked", H5D_CHUNKED, H5D_SPACE_STATUS_ALLOCATED);
  inspect("contiguous", H5D_CONTIGUOUS, H5D_SPACE_STATUS_ALLOCATED);
  inspect("lazy", H5D_CHUNKED, H5D_SPACE_STATUS_NOT_ALLOCATED);
  H5Fclose(f);
}

TEST_F(Hdf5, ReadsFixedLengthStringsFromOtherWriters) {
  // h5py writes numpy 'S' arrays as fixed-length, null-padded strings.
  const hid_t f = H5Fcreate(file().c_str(), H5F_ACC_EXCL, H5P_DEFAULT, H5P_DEFAULT);
  const hid_t type = H5Tcopy(H5T_C_S1);
  H5Tset_size(type, 5);
  H5Tset_strpad(type, H5T_STR_NULLPAD);
  const hsize_t n = 2;
  const hid_t space = H5Screate_simple(1, &n, nullptr);
  const hid_t dataset = H5Dcreate2(f, "fixed", type, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  const char data[10] = {'a', 'b', 0, 0, 0, 'h', 'e', 'l', 'l', 'o'};
  H5Dwrite(dataset, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data);
  H5Dclose(dataset);
  H5Sclose(space);
  H5Tclose(type);
  H5Fclose(f);

  const auto file_ = File::open(file(), Access::read_only);
  EXPECT_EQ(file_.open_dataset("fixed").read<std::string>(),
            (std::vector<std::string>{"ab", "hello"}));
}

TEST_F(Hdf5, AReaderInTheWritingProcessSharesTheWritersOpen) {
  auto writer = File::create(file(), false);
  writer.create_dataset("d", ElementType::int64, {1}).write(std::vector<std::int64_t>{5});
  const auto reader = File::open(file(), Access::read_only);
  EXPECT_FALSE(reader.writable());
  EXPECT_EQ(reader.open_dataset("d").read<std::int64_t>(), (std::vector<std::int64_t>{5}));
}

TEST_F(Hdf5, GroupsNestAndContainsChecksEveryComponent) {
  auto f = File::create(file(), false);
  auto a = f.create_group("a");
  a.create_group("b").create_dataset("d", ElementType::int64, {1});
  EXPECT_TRUE(f.contains("a"));
  EXPECT_TRUE(f.contains("a/b/d"));
  EXPECT_FALSE(f.contains("a/x/d"));
  EXPECT_FALSE(f.contains("x"));
  EXPECT_EQ(f.open_dataset("a/b/d").path(), "/a/b/d");
  EXPECT_EQ(a.open_group("b").path(), "/a/b");
}

TEST_F(Hdf5, ErrorsNameFileObjectAndOperationAndPrintNothing) {
  auto f = File::create(file(), false);
  f.create_group("grp");
  ::testing::internal::CaptureStderr();
  try {
    f.open_group("grp").open_dataset("missing");
    ADD_FAILURE() << "no exception";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(file().string()), HasSubstr("open dataset"),
                                HasSubstr("'/grp/missing'"), HasSubstr("doesn't exist")));
  }
  try {
    f.create_group("grp");
    ADD_FAILURE() << "no exception";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("create group"), HasSubstr("'/grp'")));
  }
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
}

TEST_F(Hdf5, BadBlocksAndTypesAreRefused) {
  auto f = File::create(file(), false);
  auto d = f.create_dataset("d", ElementType::float64, {2, 3});
  try {
    d.write_block({1, 2}, {1, 2}, std::vector<double>{1, 2});
    ADD_FAILURE() << "no exception";
  } catch (const UsageError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr("'/d'"), HasSubstr("[1, 2]+[1, 2]"),
                                HasSubstr("extents [2, 3]"), HasSubstr("out of range")));
  }
  EXPECT_THROW(d.write_block({0, 0}, {1, 2}, std::vector<double>{1}), UsageError);
  EXPECT_THROW(d.write_block({0}, {1}, std::vector<double>{1}), UsageError);
  EXPECT_THROW(d.write(std::vector<std::string>(6, "x")), DataError);
  EXPECT_THROW(d.write(std::vector<std::int64_t>(6, 1)), DataError);
  EXPECT_THROW(d.read<std::string>(), DataError);
  EXPECT_THROW(d.read<std::int64_t>(), DataError);
  Storage bad;
  bad.chunk = {3, 1};
  EXPECT_THROW(f.create_dataset("e", ElementType::float64, {2, 3}, bad), UsageError);
  EXPECT_THROW(f.create_dataset("e", ElementType::other, {2}), UsageError);
}

TEST_F(Hdf5, CreateRefusesAnExistingFileUnlessOverwriting) {
  File::create(file(), false).close();
  try {
    File::create(file(), false);
    ADD_FAILURE() << "no exception";
  } catch (const DataError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(file().string()), HasSubstr("already exists")));
  }
  auto f = File::create(file(), true);
  EXPECT_TRUE(f.writable());
}

TEST_F(Hdf5, OpeningWhatIsNotAnHdf5FileSaysSo) {
  EXPECT_THAT([&] { File::open(dir_ / "missing.h5", Access::read_only); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("no such file")));
  EXPECT_THAT([&] { File::open(dir_, Access::read_only); },
              ::testing::ThrowsMessage<DataError>(HasSubstr("directory")));
  std::ofstream(file()) << "not HDF5\n";
  EXPECT_THAT([&] { File::open(file(), Access::read_only); },
              ::testing::ThrowsMessage<DataError>(
                  AllOf(HasSubstr(file().string()), HasSubstr("not an HDF5 file"))));
}

TEST_F(Hdf5, ClosedFilesRefuseFurtherWork) {
  auto f = File::create(file(), false);
  f.close();
  f.close();  // idempotent
  EXPECT_THROW(f.flush(), UsageError);
  EXPECT_THROW(f.create_group("g"), DataError);
}

}  // namespace
}  // namespace resqunn::io::h5
