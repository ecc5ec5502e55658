# Target-CPU tuning. The circuit kernels vectorise across circuits; with the
# x86-64 baseline (SSE2) they run about 2x slower than with AVX2/AVX-512 (see
# docs/benchmarks.md). Results stay bitwise reproducible for a given build:
# every circuit of a batch runs the same instruction sequence.
include(CheckCXXCompilerFlag)
if(RESQUNN_NATIVE_ARCH)
  check_cxx_compiler_flag("-march=native" RESQUNN_HAVE_MARCH_NATIVE)
  if(RESQUNN_HAVE_MARCH_NATIVE)
    add_compile_options($<$<COMPILE_LANGUAGE:CXX>:-march=native>)
    message(STATUS "resqunn: optimising for this CPU (-march=native; RESQUNN_NATIVE_ARCH=OFF for portable binaries)")
  else()
    message(STATUS "resqunn: compiler does not accept -march=native; building for the generic target")
  endif()
endif()
