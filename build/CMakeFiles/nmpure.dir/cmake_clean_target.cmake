file(REMOVE_RECURSE
  "libnmpure.a"
)
