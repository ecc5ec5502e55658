# Sanitizer and fuzzing builds (scripts/check-sanitizers.sh drives them).
#
# RESQUNN_SANITIZE: AddressSanitizer + UndefinedBehaviorSanitizer on every
#   target of this build (GCC or Clang). Undefined behaviour aborts (no
#   recovery), so a test that meets it fails.
# RESQUNN_FUZZ: the libFuzzer targets of fuzz/ (Clang only). The whole build
#   gets libFuzzer's coverage instrumentation (-fsanitize=fuzzer-no-link),
#   so the fuzzers see coverage inside the parsers, not only in their own
#   entry points; the targets add the fuzzer's main at link time.
option(RESQUNN_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)
option(RESQUNN_FUZZ "Build the libFuzzer targets in fuzz/ (Clang)" OFF)

if(RESQUNN_SANITIZE)
  set(resqunn_sanitize_flags -fsanitize=address,undefined -fno-sanitize-recover=all
                             -fno-omit-frame-pointer)
  add_compile_options(${resqunn_sanitize_flags})
  add_link_options(${resqunn_sanitize_flags})
endif()

if(RESQUNN_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "RESQUNN_FUZZ needs Clang (libFuzzer); this build uses "
                        "${CMAKE_CXX_COMPILER_ID}. Fix: -DCMAKE_CXX_COMPILER=clang++-14")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
