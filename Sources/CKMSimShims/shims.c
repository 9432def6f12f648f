/* SwiftPM needs a source file per C target; everything is inline in include/kmsim_shims.h. */
#include "kmsim_shims.h"
