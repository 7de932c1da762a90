file(REMOVE_RECURSE
  "CMakeFiles/nichematch.dir/src/main.c.o"
  "CMakeFiles/nichematch.dir/src/main.c.o.d"
  "nichematch"
  "nichematch.pdb"
)

# Per-language clean rules from dependency scanning.
foreach(lang C)
  include(CMakeFiles/nichematch.dir/cmake_clean_${lang}.cmake OPTIONAL)
endforeach()
