# Finds HDF5 (C API), preferring the parallel (MPI-IO) build; sets
# RESQUNN_HDF5_PARALLEL. Sweeps need parallel HDF5; everything else works
# with a serial one. Used by the build and by the installed package config.
include_guard(GLOBAL)

macro(resqunn_find_hdf5)
  if(NOT DEFINED HDF5_PREFER_PARALLEL)
    set(HDF5_PREFER_PARALLEL TRUE)
  endif()
  find_package(HDF5 REQUIRED COMPONENTS C)
  if(NOT TARGET hdf5::hdf5)
    message(FATAL_ERROR "resqunn: FindHDF5 did not create hdf5::hdf5 (CMake >= 3.19 does). "
                        "Fix: use CMake >= 3.25 as required by this project.")
  endif()
  set(RESQUNN_HDF5_PARALLEL "${HDF5_IS_PARALLEL}")
  if(RESQUNN_HDF5_PARALLEL)
    # Parallel HDF5's H5public.h includes mpi.h, but FindHDF5 does not say so.
    if(NOT TARGET MPI::MPI_C)
      find_package(MPI REQUIRED COMPONENTS C)
    endif()
    set_property(TARGET hdf5::hdf5 APPEND PROPERTY INTERFACE_LINK_LIBRARIES MPI::MPI_C)
  endif()
endmacro()
