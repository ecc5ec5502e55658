# Install rules and the exported CMake package: downstream projects write
#   find_package(resqunn REQUIRED)
#   target_link_libraries(app PRIVATE resqunn::resqunn)
include(CMakePackageConfigHelpers)

get_property(_components GLOBAL PROPERTY RESQUNN_COMPONENTS)

# resqunn::resqunn = every library component.
add_library(resqunn_all INTERFACE)
add_library(resqunn::resqunn ALIAS resqunn_all)
set_target_properties(resqunn_all PROPERTIES EXPORT_NAME resqunn)
target_link_libraries(resqunn_all INTERFACE ${_components})

install(TARGETS ${_components} resqunn_all EXPORT resqunnTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
# Headers are installed by the components themselves: each its public HEADERS
# (and INSTALL_DETAIL exceptions), core also the generated config.hpp; detail
# headers are not installed (cmake/ResqunnComponent.cmake).

set(RESQUNN_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/resqunn)
install(EXPORT resqunnTargets NAMESPACE resqunn:: DESTINATION ${RESQUNN_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/resqunnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/resqunnConfig.cmake INSTALL_DESTINATION ${RESQUNN_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/resqunnConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/resqunnConfig.cmake
              ${PROJECT_BINARY_DIR}/resqunnConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/ResqunnFindKokkos.cmake
              ${PROJECT_SOURCE_DIR}/cmake/ResqunnFindHDF5.cmake
        DESTINATION ${RESQUNN_CMAKE_DIR})
