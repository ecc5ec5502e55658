# resqunn_add_component(<name> SOURCES ... [PUBLIC ...] [PRIVATE ...])
# One static library per component under src/resqunn/<name>/, target
# resqunn_<name>, alias and export name resqunn::<name>. Dependencies are
# spelled out by the caller: that list *is* the architecture.
function(resqunn_add_component name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC;PRIVATE" ${ARGN})
  set(target resqunn_${name})
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
  set_property(GLOBAL APPEND PROPERTY RESQUNN_COMPONENTS ${target})
endfunction()
