#ifndef SWIFT_MAPREDUCE_CZLIB_SHIM_H
#define SWIFT_MAPREDUCE_CZLIB_SHIM_H
#include <zlib.h>
#endif
