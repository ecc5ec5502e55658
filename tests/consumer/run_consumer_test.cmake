# cmake -P script driven by ctest (see CMakeLists.txt next to it).
file(REMOVE_RECURSE "${WORK_DIR}")
set(prefix "${WORK_DIR}/prefix")

function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message("${out}")
endfunction()

step(${CMAKE_COMMAND} --install "${RESQUNN_BUILD_DIR}" --prefix "${prefix}")
# Only the install prefix is given: resqunnConfig.cmake must find Kokkos,
# MPI and HDF5 by itself.
step(${CMAKE_COMMAND} -S "${PROJECT_DIR}" -B "${WORK_DIR}/build"
     -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${CMAKE_CXX_COMPILER}
     -DCMAKE_BUILD_TYPE=Release)
step(${CMAKE_COMMAND} --build "${WORK_DIR}/build" -j 2)
step("${WORK_DIR}/build/consumer" "${WORK_DIR}")
