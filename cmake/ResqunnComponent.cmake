# resqunn_add_component(<name>
#   SOURCES        <file>...   # .cpp files
#   HEADERS        <file>...   # public headers: installed as include/resqunn/<name>/<file>,
#                              # each compiled on its own by tests/headers
#   [DETAIL        <file>...]  # internal headers (detail/*.hpp and any other): not installed
#   [INSTALL_DETAIL <file>...] # the DETAIL headers that a public header includes: installed
#                              # too (say why next to the list), never compiled on their own
#   [PUBLIC        <dep>...]   # what the public headers need (their #includes)
#   [PRIVATE       <dep>...])  # what only the sources and detail headers need
#
# One static library per component under src/resqunn/<name>/, target
# resqunn_<name>, alias and export name resqunn::<name>. Files are relative to
# src/resqunn/<name>/. Dependencies are spelled out by the caller: that list
# *is* the architecture.
#
# Configuration fails (FATAL_ERROR, naming the file and the fix) when
#   - a .hpp under src/resqunn/<name>/ is in neither HEADERS nor DETAIL, or a
#     listed header does not exist (a new or deleted header re-runs this check
#     on the next build: the directory is globbed with CONFIGURE_DEPENDS);
#   - a detail/ header is listed in HEADERS, or an INSTALL_DETAIL header is
#     not in DETAIL;
#   - an installed header includes a resqunn header that is not installed
#     (another component's detail/ header, or one of this component's DETAIL
#     headers missing from INSTALL_DETAIL): the installed package would not
#     compile;
#   - a file of the component includes a header of another component that
#     PUBLIC or PRIVATE does not name (PUBLIC when an installed header
#     includes it): no component relies on what its dependencies link.
# The #include checks read the files at configure time only; tests/headers
# checks the installed header set again at test time.
include(ResqunnHostOnly)

function(resqunn_add_component name)
  cmake_parse_arguments(ARG "" "" "SOURCES;HEADERS;DETAIL;INSTALL_DETAIL;PUBLIC;PRIVATE" ${ARGN})
  if(ARG_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "resqunn_add_component(${name}): unknown arguments ${ARG_UNPARSED_ARGUMENTS}")
  endif()
  set(target resqunn_${name})
  set(problems)
  _resqunn_check_component_headers(${name})
  _resqunn_check_component_includes(${name})
  _resqunn_component_fail(${name} "${problems}")

  add_library(${target} STATIC ${ARG_SOURCES})
  add_library(resqunn::${name} ALIAS ${target})
  set_target_properties(${target} PROPERTIES EXPORT_NAME ${name} OUTPUT_NAME resqunn_${name})
  target_include_directories(${target} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated/include>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  target_compile_features(${target} PUBLIC cxx_std_17)
  target_link_libraries(${target} PUBLIC ${ARG_PUBLIC} PRIVATE ${ARG_PRIVATE})
  resqunn_set_warnings(${target})
  resqunn_uses_kokkos(kokkos_interface ${ARG_PUBLIC})
  set_property(GLOBAL PROPERTY RESQUNN_KOKKOS_INTERFACE_${target} ${kokkos_interface})
  resqunn_uses_kokkos(uses_kokkos ${ARG_PUBLIC} ${ARG_PRIVATE})
  resqunn_host_only(${target} ${uses_kokkos} ${ARG_SOURCES})

  # Public headers as #include spells them, for tests/headers.
  set(public_includes)
  foreach(h IN LISTS ARG_HEADERS)
    list(APPEND public_includes resqunn/${name}/${h})
  endforeach()
  set_target_properties(${target} PROPERTIES RESQUNN_PUBLIC_HEADERS "${public_includes}")
  # Install only what users may include (plus the INSTALL_DETAIL exceptions),
  # keeping each header's path below include/resqunn/<name>/.
  foreach(h IN LISTS ARG_HEADERS ARG_INSTALL_DETAIL)
    get_filename_component(subdir ${h} DIRECTORY)
    install(FILES ${h} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/resqunn/${name}/${subdir}
            COMPONENT resqunn_headers)
    set_property(GLOBAL APPEND PROPERTY RESQUNN_INSTALLED_HEADERS resqunn/${name}/${h})
  endforeach()
  set_property(GLOBAL APPEND PROPERTY RESQUNN_COMPONENTS ${target})
endfunction()

# Every .hpp on disk is listed exactly once, every listed header exists.
# Appends to `problems` of the caller (as does the next one).
function(_resqunn_check_component_headers name)
  set(dir ${CMAKE_CURRENT_SOURCE_DIR})
  file(GLOB_RECURSE on_disk CONFIGURE_DEPENDS RELATIVE ${dir} ${dir}/*.hpp)
  foreach(h IN LISTS on_disk)
    if(NOT h IN_LIST ARG_HEADERS AND NOT h IN_LIST ARG_DETAIL)
      if(h MATCHES "(^|/)detail/")
        set(where DETAIL)
      else()
        set(where "HEADERS (public: installed, compiled alone by tests/headers) or DETAIL (internal)")
      endif()
      _resqunn_problem("src/resqunn/${name}/${h} is in no list. Fix: add ${h} to ${where}")
    endif()
  endforeach()
  foreach(kind HEADERS DETAIL)
    set(seen)
    foreach(h IN LISTS ARG_${kind})
      if(NOT EXISTS ${dir}/${h})
        _resqunn_problem("${kind} lists ${h}, but src/resqunn/${name}/${h} does not exist. "
                             "Fix: remove it from ${kind} (or correct the path)")
      endif()
      if(h IN_LIST seen)
        _resqunn_problem("${kind} lists ${h} twice. Fix: remove one")
      endif()
      list(APPEND seen ${h})
    endforeach()
  endforeach()
  foreach(h IN LISTS ARG_HEADERS)
    if(h IN_LIST ARG_DETAIL)
      _resqunn_problem("${h} is in both HEADERS and DETAIL. Fix: keep it in one")
    elseif(h MATCHES "(^|/)detail/")
      _resqunn_problem("${h} is a detail/ header listed in HEADERS. Fix: move it to DETAIL "
                           "(and to INSTALL_DETAIL if a public header includes it)")
    endif()
  endforeach()
  foreach(h IN LISTS ARG_INSTALL_DETAIL)
    if(NOT h IN_LIST ARG_DETAIL)
      _resqunn_problem("INSTALL_DETAIL lists ${h}, which is not in DETAIL. Fix: list it in DETAIL too")
    endif()
  endforeach()
  set(problems "${problems}" PARENT_SCOPE)
endfunction()

# #includes of resqunn headers agree with the install set and with PUBLIC/PRIVATE.
function(_resqunn_check_component_includes name)
  set(dir ${CMAKE_CURRENT_SOURCE_DIR})
  set(installed ${ARG_HEADERS} ${ARG_INSTALL_DETAIL})
  foreach(f IN LISTS ARG_SOURCES ARG_HEADERS ARG_DETAIL)
    if(IS_ABSOLUTE "${f}")
      continue()  # generated sources (build_info); not ours to scan
    endif()
    if(NOT EXISTS ${dir}/${f})
      continue()  # reported above (headers) or by add_library (sources)
    endif()
    set(is_installed FALSE)
    if(f IN_LIST installed)
      set(is_installed TRUE)
    endif()
    file(STRINGS ${dir}/${f} lines REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]resqunn/")
    foreach(line IN LISTS lines)
      if(NOT line MATCHES "[<\"]resqunn/([^>\"]+)[>\"]")
        continue()
      endif()
      set(inc ${CMAKE_MATCH_1})
      if(inc STREQUAL "config.hpp")
        set(dep core)  # generated by core, installed with it
        set(rel "")
      elseif(inc MATCHES "^([A-Za-z0-9_]+)/(.+)$")
        set(dep ${CMAKE_MATCH_1})
        set(rel ${CMAKE_MATCH_2})
      else()
        continue()
      endif()
      set(here "src/resqunn/${name}/${f} includes \"resqunn/${inc}\"")
      # An installed header may include only installed headers.
      if(is_installed AND NOT rel STREQUAL "")
        if(dep STREQUAL name AND NOT rel IN_LIST installed)
          _resqunn_problem("${here}, which is not installed, so the installed package does not "
            "compile. Fix: include it only from .cpp files or detail headers, or (if this header "
            "must include it) list ${rel} in INSTALL_DETAIL and say why in a comment")
        elseif(NOT dep STREQUAL name AND rel MATCHES "(^|/)detail/")
          _resqunn_problem("${here}, another component's internal header, from an installed "
            "header. Fix: include it only from .cpp files, or make it a public header of ${dep}")
        endif()
      endif()
      if(dep STREQUAL name)
        continue()
      endif()
      if(is_installed AND NOT resqunn::${dep} IN_LIST ARG_PUBLIC)
        _resqunn_problem("${here}, but PUBLIC does not name resqunn::${dep} (an installed "
          "header needs it). Fix: add resqunn::${dep} to PUBLIC")
      elseif(NOT resqunn::${dep} IN_LIST ARG_PUBLIC AND NOT resqunn::${dep} IN_LIST ARG_PRIVATE)
        _resqunn_problem("${here}, but neither PUBLIC nor PRIVATE names resqunn::${dep}. "
          "Fix: add resqunn::${dep} to PRIVATE (to PUBLIC if a public header needs it)")
      endif()
    endforeach()
  endforeach()
  list(REMOVE_DUPLICATES problems)
  set(problems "${problems}" PARENT_SCOPE)
endfunction()

# Appends one message, given in parts, to `problems` (of the calling function).
macro(_resqunn_problem)
  string(CONCAT _resqunn_msg ${ARGN})
  list(APPEND problems "${_resqunn_msg}")
endmacro()

function(_resqunn_component_fail name problems)
  if(NOT problems)
    return()
  endif()
  list(JOIN problems "\n  - " text)
  message(FATAL_ERROR "resqunn: src/resqunn/${name}/CMakeLists.txt, resqunn_add_component(${name}):\n"
                      "  - ${text}\n"
                      "(signature and rules: cmake/ResqunnComponent.cmake)")
endfunction()
