# Every third-party package the build uses, found in one place so that the
# installed package config (resqunnConfig.cmake) can mirror it.
include(ResqunnFindKokkos)
include(ResqunnFindHDF5)

resqunn_find_kokkos()
message(STATUS "resqunn: Kokkos ${Kokkos_VERSION} from ${Kokkos_DIR}, devices: ${RESQUNN_KOKKOS_DEVICES}")
if(RESQUNN_REQUIRE_OPENMP AND NOT "OPENMP" IN_LIST RESQUNN_KOKKOS_DEVICES)
  message(FATAL_ERROR
    "resqunn: RESQUNN_REQUIRE_OPENMP is ON but the Kokkos at ${Kokkos_DIR} has only "
    "${RESQUNN_KOKKOS_DEVICES}. Fix: run scripts/setup.sh (builds Kokkos with OpenMP into .deps/) "
    "or set Kokkos_ROOT to a Kokkos built with -DKokkos_ENABLE_OPENMP=ON.")
endif()

find_package(MPI REQUIRED COMPONENTS C)
resqunn_find_hdf5()
if(NOT RESQUNN_HDF5_PARALLEL)
  message(WARNING "resqunn: HDF5 is not parallel; `resqunn sweep` will refuse to run with more "
                  "than one rank. Fix: install libhdf5-openmpi-dev (scripts/setup.sh does).")
endif()

find_package(Threads REQUIRED)
find_package(ZLIB REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(nlohmann_json 3 REQUIRED)
find_package(tomlplusplus 3 REQUIRED)
