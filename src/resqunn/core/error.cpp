#include "resqunn/core/error.hpp"

namespace resqunn {

namespace {
std::string compose(const std::string& problem, const std::string& fix) {
  return fix.empty() ? problem : problem + "\n  fix: " + fix;
}
}  // namespace

Error::Error(const std::string& problem, const std::string& fix)
    : std::runtime_error(compose(problem, fix)), problem_(problem), fix_(fix) {}

}  // namespace resqunn
