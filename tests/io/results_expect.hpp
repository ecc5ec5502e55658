// GoogleTest checks of what results_data.hpp writes, shared by the serial
// and the MPI tests; and the bytes of a file, to check that writes changed
// raw data only.
#pragma once

#include "results_data.hpp"
#include <gtest/gtest.h>
#include <hdf5.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace resqunn::io::testing {

// Everything write_point(p) wrote, read back.
inline void expect_point_written(const ResultsFile& results, int p) {
  SCOPED_TRACE("point " + std::to_string(p));
  const auto layout = results.layout();
  const auto info = results.read_point_info(p);
  const auto expected = info_for(p);
  EXPECT_EQ(info.id, expected.id);
  EXPECT_EQ(info.config_toml, expected.config_toml);
  EXPECT_EQ(info.config_sha256, expected.config_sha256);
  EXPECT_EQ(info.params, expected.params);
  EXPECT_EQ(info.weight_count, expected.weight_count);
  EXPECT_EQ(info.layer_weight_offsets, expected.layer_weight_offsets);

  for (int e = 0; e < layout.epochs; ++e) {
    const auto m = results.read_epoch(p, e);
    const auto x = epoch_for(p, e);
    EXPECT_EQ(m.train_loss, x.train_loss);
    EXPECT_EQ(m.train_acc, x.train_acc);
    EXPECT_EQ(m.val_loss, x.val_loss);
    EXPECT_EQ(m.val_acc, x.val_acc);
    EXPECT_EQ(m.wall_s, x.wall_s);
    EXPECT_EQ(m.images_per_s, x.images_per_s);
    EXPECT_EQ(m.val_class_acc, x.val_class_acc);
  }
  const auto steps = results.read_steps(p, 0, layout.steps);
  ASSERT_EQ(steps.size(), static_cast<std::size_t>(layout.steps));
  for (int s = 0; s < layout.steps; ++s) {
    const auto x = step_for(p, s);
    EXPECT_EQ(steps[s].norm, x.norm);
    EXPECT_EQ(steps[s].mean_abs, x.mean_abs);
    EXPECT_EQ(steps[s].max_abs, x.max_abs);
    EXPECT_EQ(steps[s].full, x.full);
    EXPECT_EQ(steps[s].loss, x.loss);
  }
  EXPECT_EQ(results.read_confusion(p), confusion_for(p));
  EXPECT_EQ(results.read_weights(p), weights_for(p));

  const auto summary = results.read_summary(p);
  const auto x = summary_for(p);
  EXPECT_EQ(summary.state, x.state);
  EXPECT_EQ(summary.epochs_done, x.epochs_done);
  EXPECT_EQ(summary.best_val_acc, x.best_val_acc);
  EXPECT_EQ(summary.wall_s, x.wall_s);

  const auto checkpoint = results.read_checkpoint(p);
  ASSERT_TRUE(checkpoint.has_value());
  EXPECT_TRUE(*checkpoint == checkpoint_for(p, 1));
}

inline std::vector<char> bytes_of(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Byte ranges [address, address + size) of the raw data of every numeric
// dataset in a file, read through the C API.
using ByteRanges = std::vector<std::pair<haddr_t, hsize_t>>;

inline herr_t collect_raw_ranges(hid_t group, const char* name, const H5L_info_t*,
                                 void* ranges_ptr) {
  auto& ranges = *static_cast<ByteRanges*>(ranges_ptr);
  const hid_t object = H5Oopen(group, name, H5P_DEFAULT);
  if (H5Iget_type(object) == H5I_DATASET) {
    const hid_t type = H5Dget_type(object);
    const hid_t properties = H5Dget_create_plist(object);
    if (H5Tget_class(type) != H5T_STRING) {
      if (H5Pget_layout(properties) == H5D_CHUNKED) {
        const hid_t space = H5Dget_space(object);
        hsize_t chunks = 0;
        H5Dget_num_chunks(object, space, &chunks);
        for (hsize_t i = 0; i < chunks; ++i) {
          hsize_t origin[3] = {};
          unsigned filters = 0;
          haddr_t address = 0;
          hsize_t size = 0;
          H5Dget_chunk_info(object, space, i, origin, &filters, &address, &size);
          ranges.emplace_back(address, size);
        }
        H5Sclose(space);
      } else {
        ranges.emplace_back(H5Dget_offset(object), H5Dget_storage_size(object));
      }
    }
    H5Pclose(properties);
    H5Tclose(type);
  }
  H5Oclose(object);
  return 0;
}

inline ByteRanges raw_data_ranges(const std::filesystem::path& path) {
  ByteRanges ranges;
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  H5Lvisit(file, H5_INDEX_NAME, H5_ITER_NATIVE, collect_raw_ranges, &ranges);
  H5Fclose(file);
  return ranges;
}

// Checks that `after` differs from `before` only inside raw data of numeric
// datasets of `file`, and somewhere.
inline void expect_only_raw_data_changed(const std::filesystem::path& file,
                                         const std::vector<char>& before,
                                         const std::vector<char>& after) {
  ASSERT_EQ(after.size(), before.size()) << "results writes allocated file space";
  const auto ranges = raw_data_ranges(file);
  ASSERT_GE(ranges.size(), 20u);  // every numeric dataset of the small layout
  std::size_t changed = 0;
  for (std::size_t i = 0; i < after.size(); ++i) {
    if (after[i] == before[i]) continue;
    ++changed;
    const bool raw = std::any_of(ranges.begin(), ranges.end(), [&](const auto& range) {
      return i >= range.first && i < range.first + range.second;
    });
    ASSERT_TRUE(raw) << "byte " << i << " outside raw data changed";
  }
  EXPECT_GT(changed, 0u);
}

}  // namespace resqunn::io::testing
