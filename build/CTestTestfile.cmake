# CMake generated Testfile for 
# Source directory: /work/wt-ops
# Build directory: /work/wt-ops/build
# 
# This file includes the relevant testing commands required for 
# testing this directory and lists subdirectories to be tested as well.
add_test([=[test_brand]=] "/work/wt-ops/build/test_brand")
set_tests_properties([=[test_brand]=] PROPERTIES  WORKING_DIRECTORY "/work/wt-ops" _BACKTRACE_TRIPLES "/work/wt-ops/CMakeLists.txt;68;add_test;/work/wt-ops/CMakeLists.txt;0;")
add_test([=[test_colmap]=] "/work/wt-ops/build/test_colmap")
set_tests_properties([=[test_colmap]=] PROPERTIES  WORKING_DIRECTORY "/work/wt-ops" _BACKTRACE_TRIPLES "/work/wt-ops/CMakeLists.txt;68;add_test;/work/wt-ops/CMakeLists.txt;0;")
add_test([=[test_creator]=] "/work/wt-ops/build/test_creator")
set_tests_properties([=[test_creator]=] PROPERTIES  WORKING_DIRECTORY "/work/wt-ops" _BACKTRACE_TRIPLES "/work/wt-ops/CMakeLists.txt;68;add_test;/work/wt-ops/CMakeLists.txt;0;")
add_test([=[test_csv]=] "/work/wt-ops/build/test_csv")
set_tests_properties([=[test_csv]=] PROPERTIES  WORKING_DIRECTORY "/work/wt-ops" _BACKTRACE_TRIPLES "/work/wt-ops/CMakeLists.txt;68;add_test;/work/wt-ops/CMakeLists.txt;0;")
add_test([=[test_merge_patch]=] "/work/wt-ops/build/test_merge_patch")
set_tests_properties([=[test_merge_patch]=] PROPERTIES  WORKING_DIRECTORY "/work/wt-ops" _BACKTRACE_TRIPLES "/work/wt-ops/CMakeLists.txt;68;add_test;/work/wt-ops/CMakeLists.txt;0;")
add_test([=[test_ndjson]=] "/work/wt-ops/build/test_ndjson")
set_tests_properties([=[test_ndjson]=] PROPERTIES  WORKING_DIRECTORY "/work/wt-ops" _BACKTRACE_TRIPLES "/work/wt-ops/CMakeLists.txt;68;add_test;/work/wt-ops/CMakeLists.txt;0;")
add_test([=[test_numparse]=] "/work/wt-ops/build/test_numparse")
set_tests_properties([=[test_numparse]=] PROPERTIES  WORKING_DIRECTORY "/work/wt-ops" _BACKTRACE_TRIPLES "/work/wt-ops/CMakeLists.txt;68;add_test;/work/wt-ops/CMakeLists.txt;0;")
add_test([=[test_score]=] "/work/wt-ops/build/test_score")
set_tests_properties([=[test_score]=] PROPERTIES  WORKING_DIRECTORY "/work/wt-ops" _BACKTRACE_TRIPLES "/work/wt-ops/CMakeLists.txt;68;add_test;/work/wt-ops/CMakeLists.txt;0;")
add_test([=[test_sign]=] "/work/wt-ops/build/test_sign")
set_tests_properties([=[test_sign]=] PROPERTIES  WORKING_DIRECTORY "/work/wt-ops" _BACKTRACE_TRIPLES "/work/wt-ops/CMakeLists.txt;68;add_test;/work/wt-ops/CMakeLists.txt;0;")
add_test([=[test_taxonomy]=] "/work/wt-ops/build/test_taxonomy")
set_tests_properties([=[test_taxonomy]=] PROPERTIES  WORKING_DIRECTORY "/work/wt-ops" _BACKTRACE_TRIPLES "/work/wt-ops/CMakeLists.txt;68;add_test;/work/wt-ops/CMakeLists.txt;0;")
