# Sanitizer and fuzzing builds (docs/SECURITY.md), each in its own build
# directory:
#
#   -DHOOKBRIDGE_SANITIZE=address,undefined   everything, to run the tests
#                                             under ASan + UBSan (build-asan/,
#                                             scripts/sanitize.sh); or =thread
#   -DHOOKBRIDGE_FUZZ=ON                      clang only: bridge/, proto/ and
#     -DCMAKE_CXX_COMPILER=clang++            the libFuzzer targets in fuzz/,
#                                             with ASan + UBSan (build-fuzz/,
#                                             scripts/fuzz.sh)
#
# Everything we compile is instrumented; the Debian libraries we link
# (gRPC, protobuf, Abseil, OpenSSL) are not.
set(HOOKBRIDGE_SANITIZE "" CACHE STRING
    "Sanitizers for the whole build, e.g. address,undefined or thread (empty: none)")
option(HOOKBRIDGE_FUZZ "Build only bridge/, proto/ and the libFuzzer targets in fuzz/ (clang)" OFF)

if(HOOKBRIDGE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "HOOKBRIDGE_FUZZ needs clang: -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT HOOKBRIDGE_SANITIZE)
    set(HOOKBRIDGE_SANITIZE address,undefined)
  endif()
  # Coverage instrumentation everywhere; the fuzz targets alone link
  # libFuzzer (-fsanitize=fuzzer, fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(HOOKBRIDGE_SANITIZE)
  # UBSan findings abort (as ASan's do), so a test or a fuzz run fails on
  # them; frame pointers give whole stacks in reports.
  add_compile_options(-fsanitize=${HOOKBRIDGE_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${HOOKBRIDGE_SANITIZE})
endif()
