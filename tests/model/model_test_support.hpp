// Shared pieces of the model tests: seeded random tensors, central finite
// differences, vector comparisons that name the failing index, and a check
// that a call throws UsageError with given pieces of text in its message.
#pragma once

#include "resqunn/core/error.hpp"
#include "resqunn/model/tensor.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <cstddef>
#include <functional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace resqunn::model::test {

inline constexpr double kPi = 3.14159265358979323846;

inline std::vector<double> uniform(std::mt19937_64& rng, std::size_t n, double lo, double hi) {
  std::uniform_real_distribution<double> d(lo, hi);
  std::vector<double> v(n);
  for (double& x : v) x = d(rng);
  return v;
}

inline Tensor random_tensor(std::mt19937_64& rng, int count, Shape shape, double lo = -1.0,
                            double hi = 1.0) {
  Tensor t(count, shape);
  t.data = uniform(rng, t.data.size(), lo, hi);
  return t;
}

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0.0;
  for (std::size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

/// (f(v + h e_i) - f(v - h e_i)) / 2h for every i; `v` is restored.
inline std::vector<double> central_differences(const std::function<double()>& f,
                                               std::vector<double>& v, double h = 1e-5) {
  std::vector<double> g(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    const double keep = v[i];
    v[i] = keep + h;
    const double up = f();
    v[i] = keep - h;
    const double down = f();
    v[i] = keep;
    g[i] = (up - down) / (2.0 * h);
  }
  return g;
}

/// Every |got - expected| <= abs_tol + rel_tol * |expected|; reports the
/// first few failures with their index.
inline void expect_close(const std::vector<double>& expected, const std::vector<double>& got,
                         double abs_tol, double rel_tol, const std::string& what) {
  ASSERT_EQ(expected.size(), got.size()) << what << ": size";
  std::size_t bad = 0;
  std::ostringstream report;
  report.precision(17);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const double err = std::abs(got[i] - expected[i]);
    if (err <= abs_tol + rel_tol * std::abs(expected[i])) continue;  // false for NaN
    if (bad++ < 4) {
      report << "\n  [" << i << "] expected " << expected[i] << ", got " << got[i] << " (error "
             << err << ")";
    }
  }
  if (bad > 0) {
    ADD_FAILURE() << what << ": " << bad << " of " << expected.size() << " values off (abs tol "
                  << abs_tol << ", rel tol " << rel_tol << ")" << report.str();
  }
}

/// `call` throws UsageError whose what() contains every one of `pieces`.
inline void expect_usage_error(const std::function<void()>& call,
                               const std::vector<std::string>& pieces) {
  try {
    call();
  } catch (const UsageError& e) {
    const std::string what = e.what();
    for (const std::string& p : pieces) {
      EXPECT_NE(what.find(p), std::string::npos) << "message lacks \"" << p << "\":\n" << what;
    }
    return;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected UsageError, got another exception: " << e.what();
    return;
  }
  ADD_FAILURE() << "expected UsageError, nothing was thrown";
}

}  // namespace resqunn::model::test
