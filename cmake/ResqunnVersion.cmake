# Version and git provenance. The git SHA and dirty flag are regenerated at
# *build* time (a stale SHA in provenance is worse than none), but the
# generated source is only rewritten when it changes, so no-op builds stay
# no-op.
set(RESQUNN_GIT_INFO_CPP "${PROJECT_BINARY_DIR}/generated/resqunn_git_info.cpp")
add_custom_target(resqunn_git_info
  BYPRODUCTS "${RESQUNN_GIT_INFO_CPP}"
  COMMAND ${CMAKE_COMMAND}
          -DSOURCE_DIR=${PROJECT_SOURCE_DIR}
          -DOUTPUT=${RESQUNN_GIT_INFO_CPP}
          -P ${PROJECT_SOURCE_DIR}/cmake/ResqunnGitInfo.cmake
  COMMENT "Recording git revision"
  VERBATIM)
