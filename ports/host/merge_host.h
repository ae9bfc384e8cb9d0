/* The host program's `merge` command (merge_host.c). */
#ifndef NOPE_MERGE_HOST_H
#define NOPE_MERGE_HOST_H

/* Merge the partials at these paths and print the report; returns the exit status. */
int nope_host_merge(int n_parts, char **parts);

#endif
