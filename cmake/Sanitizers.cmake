# Sanitizer and fuzzing builds (docs/SECURITY.md, "Fuzzing and sanitizers"),
# each in its own build directory:
#
#   -DHOOKBRIDGE_SANITIZE=address,undefined   everything, to run the tests
#                                             under ASan + UBSan (build-asan/,
#                                             scripts/test.sh); or =thread
#                                             (build-tsan/)
#   -DHOOKBRIDGE_LIBFUZZER=ON                 with the above and clang: the
#     -DCMAKE_CXX_COMPILER=clang++            fuzz targets are libFuzzer
#                                             binaries too, so one build runs
#                                             the tests and the fuzz smoke run
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
option(HOOKBRIDGE_LIBFUZZER "Link the fuzz targets with libFuzzer in a full build (clang)" OFF)

if(HOOKBRIDGE_FUZZ OR HOOKBRIDGE_LIBFUZZER)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "libFuzzer needs clang: -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT HOOKBRIDGE_SANITIZE)
    set(HOOKBRIDGE_SANITIZE address,undefined)
  endif()
endif()
if(HOOKBRIDGE_FUZZ)
  # Coverage instrumentation everywhere; the fuzz targets alone link
  # libFuzzer (-fsanitize=fuzzer, fuzz/CMakeLists.txt). With
  # HOOKBRIDGE_LIBFUZZER alone, only bridge/ and fuzz/ get it.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(HOOKBRIDGE_SANITIZE)
  # UBSan findings abort (as ASan's do), so a test or a fuzz run fails on
  # them; frame pointers give whole stacks in reports.
  add_compile_options(-fsanitize=${HOOKBRIDGE_SANITIZE} -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=${HOOKBRIDGE_SANITIZE})
  if(NOT HOOKBRIDGE_FUZZ)
    # The test builds compile at -O1 (it comes after the build type's -O2,
    # so it wins): a third faster to build, fast enough to test. The fuzz
    # build keeps -O2 for executions per second.
    add_compile_options(-O1)
  endif()
endif()

if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND NOT HOOKBRIDGE_FUZZ)
  # clang checks the ABSL_GUARDED_BY / ABSL_EXCLUSIVE_LOCKS_REQUIRED
  # annotations at compile time: the lock discipline ThreadSanitizer cannot
  # check against Debian's uninstrumented absl::Mutex (docs/SECURITY.md).
  add_compile_options(-Wthread-safety)
endif()
