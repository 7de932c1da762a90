# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[test_merge_patch]=] "/work/main/build/test_merge_patch")
set_tests_properties([=[test_merge_patch]=] PROPERTIES  WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;68;add_test;/work/main/CMakeLists.txt;0;")
