# Writes the source that defines what hookbridge was built from (see
# server/build_info.h): the project version and the git commit of the
# sources. Run at build time, not at configure time, so that a build after
# a new commit records it:
#
#   cmake -DSOURCE_DIR=<repo> -DVERSION=<x.y.z> -DINPUT=<build_info.cc.in>
#         -DOUTPUT=<build_info.cc> -P BuildInfo.cmake
#
# The revision is $HOOKBRIDGE_REVISION when set (the Dockerfile sets it from
# its REVISION build argument: its build context has no .git), else
# `git rev-parse HEAD` in SOURCE_DIR, else "unknown". OUTPUT is rewritten
# only when its content changes, so an unchanged revision compiles nothing.
if(NOT SOURCE_DIR OR NOT VERSION OR NOT INPUT OR NOT OUTPUT)
  message(FATAL_ERROR "BuildInfo.cmake: give -DSOURCE_DIR, -DVERSION, -DINPUT and -DOUTPUT")
endif()

set(HOOKBRIDGE_BUILD_VERSION "${VERSION}")
set(HOOKBRIDGE_BUILD_REVISION "$ENV{HOOKBRIDGE_REVISION}")
if(HOOKBRIDGE_BUILD_REVISION STREQUAL "")
  find_program(GIT_EXECUTABLE git)
  if(GIT_EXECUTABLE)
    execute_process(
      COMMAND "${GIT_EXECUTABLE}" -C "${SOURCE_DIR}" rev-parse --verify --quiet HEAD
      OUTPUT_VARIABLE HOOKBRIDGE_BUILD_REVISION
      RESULT_VARIABLE git_result
      ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
    if(NOT git_result EQUAL 0)
      set(HOOKBRIDGE_BUILD_REVISION "")
    endif()
  endif()
endif()
# Only what fits a label value without escaping, so the C++ string literal
# and the exposition stay plain.
if(NOT HOOKBRIDGE_BUILD_REVISION MATCHES "^[0-9A-Za-z._+-]+$")
  set(HOOKBRIDGE_BUILD_REVISION "unknown")
endif()
configure_file("${INPUT}" "${OUTPUT}" @ONLY)
