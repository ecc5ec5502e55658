# Finds Kokkos >= 3.4 (any backend set; users bring CUDA/HIP builds via
# Kokkos_ROOT) and repairs the include directory of Debian's
# libtrilinos-kokkos-dev, whose config computes <prefix>/include from a
# libdir four levels deep and so exports /usr/lib/include, while the headers
# live in /usr/include/trilinos. Sets RESQUNN_KOKKOS_DEVICES (e.g. OPENMP;SERIAL),
# and for config.hpp RESQUNN_KOKKOS_BACKENDS (e.g. OpenMP;Serial, spelled and
# ordered as parallel::kokkos_info() does) and RESQUNN_KOKKOS_ENABLE_<B> (0/1)
# for B in CUDA HIP SYCL OPENMPTARGET OPENACC HPX OPENMP THREADS SERIAL.
# Used both by the build and by the installed resqunnConfig.cmake.
include_guard(GLOBAL)

macro(resqunn_find_kokkos)
  if(NOT TARGET Kokkos::kokkos)
    find_package(Kokkos 3.4 CONFIG REQUIRED)
  endif()
  _resqunn_repair_kokkos_includes()
  _resqunn_kokkos_backends()
endmacro()

# Backends from what find_package(Kokkos) reports: Kokkos_DEVICES (set by the
# configs of Kokkos 3.x and 4.x, also the ones Trilinos installs; kokkos_check()
# reads the same list). Should a config not set it, the KokkosCore_config.h
# the code compiles against says the same through its KOKKOS_ENABLE_<B> macros.
function(_resqunn_kokkos_backends)
  # Kokkos_DEVICES spelling -> name of the execution space (as kokkos_info()).
  set(known CUDA:Cuda HIP:HIP SYCL:SYCL OPENMPTARGET:OpenMPTarget OPENACC:OpenACC HPX:HPX
            OPENMP:OpenMP THREADS:Threads SERIAL:Serial)
  set(keys ${known})
  list(TRANSFORM keys REPLACE ":.*" "")
  set(devices "${Kokkos_DEVICES}")
  if(NOT devices)
    get_target_property(_dirs Kokkos::kokkos INTERFACE_INCLUDE_DIRECTORIES)
    foreach(_d IN LISTS _dirs)
      if(NOT _d MATCHES "^\\$<" AND EXISTS "${_d}/KokkosCore_config.h")
        file(STRINGS "${_d}/KokkosCore_config.h" _defines
             REGEX "^[ \t]*#[ \t]*define[ \t]+KOKKOS_ENABLE_[A-Z]+[ \t]*$")
        foreach(_line IN LISTS _defines)
          string(REGEX REPLACE ".*KOKKOS_ENABLE_([A-Z]+).*" "\\1" _b "${_line}")
          if(_b IN_LIST keys)
            list(APPEND devices ${_b})
          endif()
        endforeach()
        message(STATUS "resqunn: Kokkos config sets no Kokkos_DEVICES; backends from ${_d}/KokkosCore_config.h")
        break()
      endif()
    endforeach()
  endif()
  # Kokkos before 3.6 calls the Threads backend PTHREAD.
  list(TRANSFORM devices TOUPPER)
  list(TRANSFORM devices REPLACE "^PTHREADS?$" "THREADS")
  set(backends)
  foreach(_pair IN LISTS known)
    string(REPLACE ":" ";" _pair "${_pair}")
    list(GET _pair 0 _key)
    list(GET _pair 1 _space)
    if(_key IN_LIST devices)
      set(RESQUNN_KOKKOS_ENABLE_${_key} 1 PARENT_SCOPE)
      list(APPEND backends ${_space})
    else()
      set(RESQUNN_KOKKOS_ENABLE_${_key} 0 PARENT_SCOPE)
    endif()
  endforeach()
  if(NOT backends)
    message(WARNING "resqunn: found no backend of the Kokkos at ${Kokkos_DIR} (neither "
                    "Kokkos_DEVICES nor KokkosCore_config.h names one): config.hpp claims none.")
  endif()
  set(RESQUNN_KOKKOS_DEVICES "${Kokkos_DEVICES}" PARENT_SCOPE)
  if(NOT Kokkos_DEVICES)
    set(RESQUNN_KOKKOS_DEVICES "${devices}" PARENT_SCOPE)
  endif()
  set(RESQUNN_KOKKOS_BACKENDS "${backends}" PARENT_SCOPE)
endfunction()

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
