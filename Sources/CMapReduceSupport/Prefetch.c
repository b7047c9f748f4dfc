// The support target's functions are `static inline` in its header; this file only gives the target a source.
#include "CMapReduceSupport.h"
