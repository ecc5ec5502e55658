// Named regions of the run (training step, sweep phases, I/O) for profiling
// tools. Core knows no Kokkos: parallel::Runtime connects the regions to
// Kokkos Tools (Kokkos::Profiling::pushRegion/popRegion, which the space-time
// stack, nsys and VTune connectors show) once Kokkos is up; without it a
// region costs one relaxed atomic load.
#pragma once

namespace resqunn {

/// What enters and leaves a region; both null (the default) disables them.
struct RegionHooks {
  void (*push)(const char* name) = nullptr;
  void (*pop)() = nullptr;
};

/// Installs `hooks` for every thread (the runtime does, at start and end).
void set_region_hooks(RegionHooks hooks) noexcept;

/// A region from construction to destruction; `name` must outlive it
/// (string literals: "resqunn::train::step").
class ScopedRegion {
public:
  explicit ScopedRegion(const char* name) noexcept;
  ~ScopedRegion();
  ScopedRegion(const ScopedRegion&) = delete;
  ScopedRegion& operator=(const ScopedRegion&) = delete;

private:
  void (*pop_)() = nullptr;  // the hook that pushed, so push and pop pair up
};

}  // namespace resqunn
