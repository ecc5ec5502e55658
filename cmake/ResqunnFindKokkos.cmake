# Finds Kokkos >= 3.4 (any backend set; users bring CUDA/HIP builds via
# Kokkos_ROOT) and repairs the include directory of Debian's
# libtrilinos-kokkos-dev, whose config computes <prefix>/include from a
# libdir four levels deep and so exports /usr/lib/include, while the headers
# live in /usr/include/trilinos. Sets RESQUNN_KOKKOS_DEVICES (e.g. OPENMP;SERIAL).
# Used both by the build and by the installed resqunnConfig.cmake.
include_guard(GLOBAL)

macro(resqunn_find_kokkos)
  if(NOT TARGET Kokkos::kokkos)
    find_package(Kokkos 3.4 CONFIG REQUIRED)
  endif()
  _resqunn_repair_kokkos_includes()
  set(RESQUNN_KOKKOS_DEVICES "${Kokkos_DEVICES}")
endmacro()

function(_resqunn_repair_kokkos_includes)
  get_target_property(_dirs Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
  if(NOT _dirs)
    return()
  endif()
  set(_broken FALSE)
  set(_kept)
  foreach(_d IN LISTS _dirs)
    # Generator expressions cannot be checked here; keep them untouched.
    if(_d MATCHES "^\\$<" OR EXISTS "${_d}")
      list(APPEND _kept "${_d}")
    else()
      set(_broken TRUE)
    endif()
  endforeach()
  if(NOT _broken)
    return()
  endif()
  # Candidates: what the config itself advertises, then Debian's location.
  set(_candidates ${Kokkos_INCLUDE_DIRS} /usr/include/trilinos)
  foreach(_c IN LISTS _candidates)
    if(EXISTS "${_c}/Kokkos_Core.hpp")
      list(PREPEND _kept "${_c}")
      list(REMOVE_DUPLICATES _kept)
      set_property(TARGET Kokkos::kokkos PROPERTY INTERFACE_INCLUDE_DIRECTORIES "${_kept}")
      message(STATUS "resqunn: repaired Kokkos include directory (${_dirs} does not exist) -> ${_c}")
      return()
    endif()
  endforeach()
  message(FATAL_ERROR
    "resqunn: Kokkos config at ${Kokkos_DIR} exports include directories that do not exist "
    "(${_dirs}) and Kokkos_Core.hpp was not found in ${_candidates}. "
    "Fix: point Kokkos_ROOT at a complete Kokkos install, or run scripts/setup.sh to build one.")
endfunction()
