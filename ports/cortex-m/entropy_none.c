/* Boards without a hardware random number generator (the MPS2 images as QEMU models them):
 * port_entropy() reports false and the program refuses `--seed random` with an error. */
#include "cm.h"

bool cm_entropy(uint32_t *out)
{
    (void)out;
    return false;
}
