file(REMOVE_RECURSE
  "libnmcore.a"
)
