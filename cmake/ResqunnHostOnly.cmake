# CUDA builds compile with nvcc only what needs it. Kokkos' launcher (or an
# nvcc_wrapper CMAKE_CXX_COMPILER) hands every compilation of a target that
# links Kokkos to nvcc_wrapper; but of resqunn's ~200 translation units only
# about 20 include a Kokkos header (the kernels, the model, the trainer and
# their tests). The others get nvcc_wrapper's --host-only, which runs the
# host compiler alone:
#   - the CUDA build takes about as long as a CPU build, not several times
#     longer (nvcc runs its front end and a device pass on every unit);
#   - toml++, which nvcc's front end rejects ("'__T0' was not declared",
#     in its generic lambdas), never meets it (config, sweep parsing).
#
# resqunn_uses_kokkos(<out> <dep>...): TRUE if linking these dependencies
#   puts Kokkos on the compile line (Kokkos' launcher redirects compilations
#   that carry its -DKOKKOS_DEPENDENCE): one is Kokkos::kokkos or a resqunn
#   component whose usage requirements carry Kokkos (a PUBLIC dependency,
#   recorded by resqunn_add_component as RESQUNN_KOKKOS_INTERFACE_<target>;
#   a PRIVATE Kokkos stays off its dependants' compile lines).
# resqunn_host_only(<target> <uses_kokkos> <source>...): in CUDA builds of a
#   target that uses Kokkos, marks each
#   source (relative to the current source directory) that includes no
#   Kokkos header, directly or through the quoted includes it reaches under
#   src/ and its own directory, as --host-only.
include_guard(GLOBAL)

function(resqunn_uses_kokkos out)
  set(uses FALSE)
  foreach(dep IN LISTS ARGN)
    string(REPLACE "resqunn::" "resqunn_" dep "${dep}")
    get_property(dep_uses GLOBAL PROPERTY RESQUNN_KOKKOS_INTERFACE_${dep})
    if(dep STREQUAL "Kokkos::kokkos" OR dep_uses)
      set(uses TRUE)
    endif()
  endforeach()
  set(${out} ${uses} PARENT_SCOPE)
endfunction()

function(resqunn_host_only target uses_kokkos)
  if(NOT RESQUNN_KOKKOS_ENABLE_CUDA OR NOT uses_kokkos)
    return()
  endif()
  foreach(src IN LISTS ARGN)
    get_filename_component(path "${src}" ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    if(NOT path MATCHES "\\.(cpp|cc|cxx)$" OR NOT EXISTS "${path}")
      continue()
    endif()
    _resqunn_includes_kokkos("${path}" kokkos)
    if(NOT kokkos)
      set_property(SOURCE "${path}" APPEND PROPERTY COMPILE_OPTIONS --host-only)
    endif()
  endforeach()
endfunction()

# <out> = whether `file` includes a Kokkos header, directly or through the
# quoted includes found in its directory or under src/; memoised per file.
function(_resqunn_includes_kokkos file out)
  get_property(known GLOBAL PROPERTY "RESQUNN_KOKKOS_IN:${file}" SET)
  if(known)
    get_property(result GLOBAL PROPERTY "RESQUNN_KOKKOS_IN:${file}")
    set(${out} ${result} PARENT_SCOPE)
    return()
  endif()
  set_property(GLOBAL PROPERTY "RESQUNN_KOKKOS_IN:${file}" FALSE)  # include cycles
  set(result FALSE)
  get_filename_component(dir "${file}" DIRECTORY)
  file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  foreach(line IN LISTS lines)
    if(line MATCHES "<[^>]*Kokkos")
      set(result TRUE)
      break()
    endif()
    if(NOT line MATCHES "\"([^\"]+)\"")
      continue()
    endif()
    set(inc "${CMAKE_MATCH_1}")
    foreach(base IN ITEMS "${dir}" "${PROJECT_SOURCE_DIR}/src")
      if(EXISTS "${base}/${inc}")
        _resqunn_includes_kokkos("${base}/${inc}" sub)
        if(sub)
          set(result TRUE)
        endif()
        break()
      endif()
    endforeach()
    if(result)
      break()
    endif()
  endforeach()
  set_property(GLOBAL PROPERTY "RESQUNN_KOKKOS_IN:${file}" ${result})
  set(${out} ${result} PARENT_SCOPE)
endfunction()
