// libnuma only. Do not define _GNU_SOURCE here: the module would then disagree
// with Glibc's definition of fd_set and the build fails.
#include <numa.h>
