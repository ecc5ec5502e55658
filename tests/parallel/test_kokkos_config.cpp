// config.hpp carries the Kokkos backends the build was configured with
// (find_package(Kokkos), cmake/ResqunnFindKokkos.cmake). They must be the ones
// the code compiles against (KokkosCore_config.h) and the Kokkos library
// reports at run time (print_configuration, the execution spaces' names).
#include "resqunn/config.hpp"
#include "resqunn/parallel/kokkos_info.hpp"

#include <Kokkos_Core.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct Backend {
  const char* name;  // as the execution space calls itself
  int in_config_hpp;
  bool in_kokkos_headers;
};

// Every backend config.hpp knows, with what each side says about it.
const std::vector<Backend>& backends(){static const std::vector<Backend> all = {
                                           {"Cuda", RESQUNN_KOKKOS_ENABLE_CUDA,
#ifdef KOKKOS_ENABLE_CUDA
                                            true},
#else
                                            false},
#endif
                                           {"HIP", RESQUNN_KOKKOS_ENABLE_HIP,
#ifdef KOKKOS_ENABLE_HIP
                                            true},
#else
                                            false},
#endif
                                           {"SYCL", RESQUNN_KOKKOS_ENABLE_SYCL,
#ifdef KOKKOS_ENABLE_SYCL
                                            true},
#else
                                            false},
#endif
                                           {"OpenMPTarget", RESQUNN_KOKKOS_ENABLE_OPENMPTARGET,
#ifdef KOKKOS_ENABLE_OPENMPTARGET
                                            true},
#else
                                            false},
#endif
                                           {"OpenACC", RESQUNN_KOKKOS_ENABLE_OPENACC,
#ifdef KOKKOS_ENABLE_OPENACC
                                            true},
#else
                                            false},
#endif
                                           {"HPX", RESQUNN_KOKKOS_ENABLE_HPX,
#ifdef KOKKOS_ENABLE_HPX
                                            true},
#else
                                            false},
#endif
                                           {"OpenMP", RESQUNN_KOKKOS_ENABLE_OPENMP,
#ifdef KOKKOS_ENABLE_OPENMP
                                            true},
#else
                                            false},
#endif
                                           {"Threads", RESQUNN_KOKKOS_ENABLE_THREADS,
#ifdef KOKKOS_ENABLE_THREADS
                                            true},
#else
                                            false},
#endif
                                           {"Serial", RESQUNN_KOKKOS_ENABLE_SERIAL,
#ifdef KOKKOS_ENABLE_SERIAL
                                            true},
#else
                                            false},
#endif
                                       };
return all;
}  // namespace

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string item; std::getline(in, item, ';');) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) {
    return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  });
  return s;
}

}  // namespace

TEST(KokkosConfigHeader, MacrosAreTheBackendsOfTheKokkosHeaders) {
  for (const auto& b : backends()) {
    EXPECT_TRUE(b.in_config_hpp == 0 || b.in_config_hpp == 1) << b.name;
    EXPECT_EQ(b.in_config_hpp == 1, b.in_kokkos_headers)
        << "RESQUNN_KOKKOS_ENABLE_" << upper(b.name) << " is " << b.in_config_hpp
        << " but KOKKOS_ENABLE_" << upper(b.name) << " is "
        << (b.in_kokkos_headers ? "defined" : "not defined");
  }
}

TEST(KokkosConfigHeader, BackendListIsTheEnabledMacrosInOrder) {
  std::vector<std::string> expected;
  for (const auto& b : backends()) {
    if (b.in_config_hpp == 1) expected.emplace_back(b.name);
  }
  EXPECT_EQ(split_list(RESQUNN_KOKKOS_BACKENDS), expected) << RESQUNN_KOKKOS_BACKENDS;
  EXPECT_FALSE(expected.empty());
}

TEST(KokkosConfigHeader, VersionIsTheKokkosHeadersVersion) {
  int major = -1, minor = -1, patch = -1;
  ASSERT_EQ(std::sscanf(RESQUNN_KOKKOS_VERSION_STRING, "%d.%d.%d", &major, &minor, &patch), 3)
      << RESQUNN_KOKKOS_VERSION_STRING;
  EXPECT_EQ(major * 10000 + minor * 100 + patch, KOKKOS_VERSION) << RESQUNN_KOKKOS_VERSION_STRING;
}

// Host backends against the running Kokkos library: the spaces it
// initialised print "KOKKOS_ENABLE_<B>: yes" (Kokkos 3.4 and 4.x alike).
TEST(KokkosConfigHeader, HostBackendsAreTheOnesKokkosRunsWith) {
  ASSERT_TRUE(Kokkos::is_initialized());
  std::ostringstream printed;
  Kokkos::print_configuration(printed, false);
  const std::string text = printed.str();
  for (const char* host : {"OpenMP", "Threads", "Serial", "HPX"}) {
    const auto b = std::find_if(backends().begin(), backends().end(),
                                [&](const Backend& x) { return std::string(x.name) == host; });
    ASSERT_NE(b, backends().end());
    const std::string line = "KOKKOS_ENABLE_" + upper(host) + ": yes";
    EXPECT_EQ(b->in_config_hpp == 1, text.find(line) != std::string::npos)
        << "RESQUNN_KOKKOS_ENABLE_" << upper(host) << " is " << b->in_config_hpp
        << "; Kokkos::print_configuration says:\n"
        << text;
  }
#ifdef KOKKOS_ENABLE_OPENMP
  EXPECT_EQ(std::string(Kokkos::OpenMP::name()), "OpenMP");
  EXPECT_GE(Kokkos::OpenMP().concurrency(), 1);
#endif
#ifdef KOKKOS_ENABLE_SERIAL
  EXPECT_EQ(std::string(Kokkos::Serial::name()), "Serial");
  EXPECT_EQ(Kokkos::Serial().concurrency(), 1);
#endif
  const auto listed = split_list(RESQUNN_KOKKOS_BACKENDS);
  const auto has = [&](const std::string& n) {
    return std::find(listed.begin(), listed.end(), n) != listed.end();
  };
  EXPECT_TRUE(has(Kokkos::DefaultExecutionSpace::name())) << RESQUNN_KOKKOS_BACKENDS;
  EXPECT_TRUE(has(Kokkos::DefaultHostExecutionSpace::name())) << RESQUNN_KOKKOS_BACKENDS;
}

// `resqunn info` prints parallel::kokkos_info(): the same set, as far as it knows.
TEST(KokkosConfigHeader, KokkosInfoListsTheSameBackends) {
  const std::set<std::string> known = {"Cuda", "HIP", "SYCL", "OpenMP", "Threads", "Serial"};
  std::vector<std::string> expected;
  for (const auto& name : split_list(RESQUNN_KOKKOS_BACKENDS)) {
    if (known.count(name) != 0) expected.push_back(name);
  }
  EXPECT_EQ(resqunn::parallel::kokkos_info().backends, expected);
}
