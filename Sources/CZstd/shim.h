#ifndef SWIFT_MAPREDUCE_CZSTD_SHIM_H
#define SWIFT_MAPREDUCE_CZSTD_SHIM_H
#include <zstd.h>
#endif
