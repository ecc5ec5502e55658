# Compiler warnings for resqunn's own targets (never forced on dependants).
function(resqunn_set_warnings target)
  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    # -Wno-psabi: the circuit kernels' 8-double lane packs (GCC vector
    # extensions) are passed by value between inline functions of one
    # translation unit; on CPUs without AVX-512 the compiler warns that
    # such a signature's ABI differs from an AVX-512 build's, which matters
    # only across a library boundary, and none of them crosses one.
    target_compile_options(${target} PRIVATE
      $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wno-psabi>)
    if(RESQUNN_WARNINGS_AS_ERRORS)
      target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
    endif()
  endif()
endfunction()
