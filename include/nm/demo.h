/* `nichematch demo-data`: plausible, deterministic creator rows for demos and benchmarks. */
#ifndef NM_DEMO_H
#define NM_DEMO_H

/* argv[0] is "demo-data". Writes the rows to stdout; returns the process exit status. */
int nm_demo_main(int argc, char **argv);

#endif
