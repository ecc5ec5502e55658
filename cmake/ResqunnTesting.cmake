# Test registration helpers.
#
# resqunn_add_test(<name> SOURCES ... LIBS ... [KOKKOS] [MPI_RANKS n...] [LABELS ...])
#   Builds a GoogleTest executable. Without MPI_RANKS it runs once, serially.
#   KOKKOS (without MPI_RANKS) links the gtest main that initialises Kokkos
#   (tests/support/kokkos_gtest_main.cpp) instead of GTest::gtest_main.
#   With MPI_RANKS it links the MPI-aware gtest main (tests/support) and is
#   registered once per rank count as <name>.np<n>, launched with
#   `mpiexec -n <n>` and the environment Open MPI needs to run as root in
#   containers and oversubscribed (the CI machine has 2 cores). No
#   launcher-specific flags: the same commands run under MPICH's Hydra
#   (scripts/check-mpich.sh), which oversubscribes without being asked.
include(GoogleTest)
include(ResqunnHostOnly)

# A device build's test executables cannot run where it is built (a login
# node or CI machine without a GPU or its driver, libcuda.so.1): list their
# tests when ctest runs them, not at build time.
if(RESQUNN_KOKKOS_ENABLE_CUDA OR RESQUNN_KOKKOS_ENABLE_HIP OR RESQUNN_KOKKOS_ENABLE_SYCL)
  set(RESQUNN_TEST_DISCOVERY PRE_TEST)
else()
  set(RESQUNN_TEST_DISCOVERY POST_BUILD)
endif()

# Every test executable, and nothing else: `cmake --build . --target
# resqunn_tests` (the sanitizer build needs no benchmarks or CLI).
add_custom_target(resqunn_tests)
# The MPI tests alone (ctest -L mpi): what another MPI's build needs.
add_custom_target(resqunn_mpi_tests)

set(RESQUNN_MPI_TEST_ENV
  OMPI_ALLOW_RUN_AS_ROOT=1
  OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  # Oversubscribed ranks must yield, or they spin against each other.
  OMPI_MCA_mpi_yield_when_idle=1
  OMPI_MCA_rmaps_base_oversubscribe=1
  # No network in CI: keep Open MPI on shared memory and loopback.
  OMPI_MCA_btl=self,vader,tcp
  OMPI_MCA_btl_tcp_if_include=lo
  OMPI_MCA_oob_tcp_if_include=lo
  # Two ranks each spawning all-core OpenMP pools would thrash.
  OMP_NUM_THREADS=1
  OMP_PROC_BIND=false)

function(resqunn_add_mpi_test_command name nranks)
  add_test(NAME ${name}.np${nranks}
           COMMAND ${MPIEXEC_EXECUTABLE} ${MPIEXEC_NUMPROC_FLAG} ${nranks}
                   ${MPIEXEC_PREFLAGS} ${ARGN} ${MPIEXEC_POSTFLAGS})
  set_tests_properties(${name}.np${nranks} PROPERTIES
    ENVIRONMENT "${RESQUNN_MPI_TEST_ENV}" PROCESSORS ${nranks} LABELS "mpi")
endfunction()

function(resqunn_add_test name)
  cmake_parse_arguments(ARG "KOKKOS" "" "SOURCES;LIBS;MPI_RANKS;LABELS" ${ARGN})
  if(ARG_KOKKOS AND ARG_MPI_RANKS)
    message(FATAL_ERROR "resqunn_add_test(${name}): KOKKOS and MPI_RANKS are exclusive "
                        "(the MPI main initialises Kokkos already)")
  endif()
  add_executable(${name} ${ARG_SOURCES})
  add_dependencies(resqunn_tests ${name})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gtest GTest::gmock)
  resqunn_set_warnings(${name})
  set(kokkos_main)
  if(ARG_KOKKOS OR ARG_MPI_RANKS)
    set(kokkos_main Kokkos::kokkos)  # its main() initialises Kokkos
  endif()
  resqunn_uses_kokkos(uses_kokkos ${ARG_LIBS} ${kokkos_main})
  resqunn_host_only(${name} ${uses_kokkos} ${ARG_SOURCES})
  if(ARG_MPI_RANKS)
    add_dependencies(resqunn_mpi_tests ${name})
    target_link_libraries(${name} PRIVATE resqunn_test_mpi_main)
    foreach(n IN LISTS ARG_MPI_RANKS)
      resqunn_add_mpi_test_command(${name} ${n} $<TARGET_FILE:${name}>)
      if(ARG_LABELS)
        set_property(TEST ${name}.np${n} APPEND PROPERTY LABELS ${ARG_LABELS})
      endif()
    endforeach()
  else()
    set(extra_properties)
    if(ARG_KOKKOS)
      target_link_libraries(${name} PRIVATE resqunn_test_kokkos_main)
      # Kokkos tests interleave many short kernels with serial host work;
      # spinning OpenMP workers then compete with that work (and with other
      # tests under ctest -j) on the 2-core CI machine: 10-100x slower runs.
      # (A second ENVIRONMENT entry cannot pass through gtest_discover_tests,
      # which splits list-valued properties.)
      set(extra_properties ENVIRONMENT_MODIFICATION "OMP_WAIT_POLICY=set:passive")
    else()
      target_link_libraries(${name} PRIVATE GTest::gtest_main)
    endif()
    # NO_PRETTY_VALUES: value-parameterised tests are named by their
    # generator alone, without the printed "# GetParam() = ..." suffix.
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 NO_PRETTY_VALUES
                         DISCOVERY_MODE ${RESQUNN_TEST_DISCOVERY}
                         PROPERTIES LABELS "unit;${ARG_LABELS}" ENVIRONMENT "OMP_PROC_BIND=false"
                                    ${extra_properties})
  endif()
endfunction()
