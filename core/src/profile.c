/* The profile's counters (nope/profile.h); empty unless NOPE_PROFILE is set. */
#include "nope/profile.h"

#if NOPE_PROFILE

static uint64_t no_clock(void)
{
    return 0;
}

uint64_t (*nope_prof_clock)(void) = no_clock;
nope_prof_counts nope_prof;

void nope_prof_calibrate(uint32_t n)
{
    for (uint32_t k = 0; k < n; k++)
        NOPE_PROF(NOPE_PROF_EMPTY, (void)0);
}

const char *nope_prof_name(nope_prof_kernel k)
{
    static const char *const names[NOPE_PROF_KERNELS] = {"draw",       "matmul", "attention", "layernorm",
                                                         "activation", "stats",  "empty"};
    return (unsigned)k < NOPE_PROF_KERNELS ? names[k] : "?";
}

#else
/* ISO C wants a translation unit to declare something. */
typedef int nope_profile_unused;
#endif
