# add_proto_library(<target> SOURCE_DIR <dir> PROTOS <files...> [GRPC <files...>])
#
# Generates C++ messages for PROTOS (paths relative to SOURCE_DIR, which is
# also the import root) and gRPC stubs for those also listed in GRPC, into a
# static library <target> whose users see the generated headers.
function(add_proto_library target)
  cmake_parse_arguments(ARG "" "SOURCE_DIR" "PROTOS;GRPC" ${ARGN})
  set(gen_dir ${CMAKE_CURRENT_BINARY_DIR}/${target}_gen)
  file(MAKE_DIRECTORY ${gen_dir})
  set(generated)
  foreach(proto ${ARG_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" stem ${proto})
    set(outs ${gen_dir}/${stem}.pb.cc ${gen_dir}/${stem}.pb.h)
    set(args --cpp_out=${gen_dir})
    if(proto IN_LIST ARG_GRPC)
      list(APPEND outs ${gen_dir}/${stem}.grpc.pb.cc ${gen_dir}/${stem}.grpc.pb.h)
      list(APPEND args --grpc_out=${gen_dir}
           --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>)
    endif()
    add_custom_command(
      OUTPUT ${outs}
      COMMAND protobuf::protoc ARGS -I${ARG_SOURCE_DIR} ${args} ${ARG_SOURCE_DIR}/${proto}
      DEPENDS ${ARG_SOURCE_DIR}/${proto} protobuf::protoc gRPC::grpc_cpp_plugin
      COMMENT "protoc ${proto}")
    list(APPEND generated ${outs})
  endforeach()
  add_library(${target} STATIC ${generated})
  target_include_directories(${target} PUBLIC $<BUILD_INTERFACE:${gen_dir}>
                                             $<INSTALL_INTERFACE:include>)
  set_target_properties(${target} PROPERTIES HOOKBRIDGE_GEN_DIR ${gen_dir})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf gRPC::grpc++)
  # Generated code is not ours to warn about.
  target_compile_options(${target} PRIVATE -w)
endfunction()
