# CMake generated Testfile for 
# Source directory: /work/main
# Build directory: /work/main/build
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[test_brand]=] "/work/main/build/test_brand")
set_tests_properties([=[test_brand]=] PROPERTIES  WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;68;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_colmap]=] "/work/main/build/test_colmap")
set_tests_properties([=[test_colmap]=] PROPERTIES  WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;68;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_creator]=] "/work/main/build/test_creator")
set_tests_properties([=[test_creator]=] PROPERTIES  WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;68;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_csv]=] "/work/main/build/test_csv")
set_tests_properties([=[test_csv]=] PROPERTIES  WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;68;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_merge_patch]=] "/work/main/build/test_merge_patch")
set_tests_properties([=[test_merge_patch]=] PROPERTIES  WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;68;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_ndjson]=] "/work/main/build/test_ndjson")
set_tests_properties([=[test_ndjson]=] PROPERTIES  WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;68;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_numparse]=] "/work/main/build/test_numparse")
set_tests_properties([=[test_numparse]=] PROPERTIES  WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;68;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_sign]=] "/work/main/build/test_sign")
set_tests_properties([=[test_sign]=] PROPERTIES  WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;68;add_test;/work/main/CMakeLists.txt;0;")
add_test([=[test_taxonomy]=] "/work/main/build/test_taxonomy")
set_tests_properties([=[test_taxonomy]=] PROPERTIES  WORKING_DIRECTORY "/work/main" _BACKTRACE_TRIPLES "/work/main/CMakeLists.txt;68;add_test;/work/main/CMakeLists.txt;0;")
