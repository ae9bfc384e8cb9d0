/* The merge's parser (nope_merge_part) on partials made from the fuzzer's bytes. The harness
 * writes the checksum line itself, so the bytes reach the parser rather than the checksum. Oracle:
 *   - a refusal is one line (non-empty, no control byte, shorter than NOPE_MERGE_ERR_MAX);
 *   - an accepted part covering every trial (from=0 to=trials) writes back, as shard 1 of 1,
 *     to exactly its own bytes: the parser takes only what a run writes, in the one way it writes it;
 *   - an accepted part with any one byte changed (checksum line as before) is refused. */
#include "fuzz_util.h"

#include "nope/partial.h"
#include "nope/report.h"

static char text[1 << 17], back[1 << 17];
static size_t back_len;

static void collect(void *ctx, const char *bytes, size_t n)
{
    (void)ctx;
    FUZZ_CHECK(back_len + n <= sizeof back, "written partial over %zu bytes", sizeof back);
    memcpy(back + back_len, bytes, n);
    back_len += n;
}

static void check_message(const char *err)
{
    size_t n = strlen(err);
    FUZZ_CHECK(n > 0 && n < NOPE_MERGE_ERR_MAX, "refusal message of length %zu", n);
    for (size_t k = 0; k < n; k++)
        FUZZ_CHECK((unsigned char)err[k] >= 0x20 && (unsigned char)err[k] < 0x7f, "control byte in '%s'", err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size + 64 > sizeof text)
        return 0;
    memcpy(text, data, size);
    uint64_t h = nope_fnv1a64(NOPE_FNV1A64_INIT, text, size);
    size_t len = size + (size_t)snprintf(text + size, 64, "# checksum fnv1a64=%016llx\n", (unsigned long long)h);

    char err[NOPE_MERGE_ERR_MAX];
    nope_merge_begin();
    if (nope_merge_part(text, len, err) != NOPE_OK) {
        check_message(err);
        return 0;
    }
    nope_config cfg;
    if (nope_merge_end(&cfg, err) == NOPE_OK) {
        cfg.shard = cfg.shards = 1;
        back_len = 0;
        nope_sink sink = {collect, NULL};
        nope_partial_write(&cfg, &sink);
        FUZZ_CHECK(back_len == len && memcmp(back, text, len) == 0,
                   "accepted part does not write back to its own bytes:\n%.*s\n--- written back:\n%.*s", (int)len, text,
                   (int)back_len, back);
    } else {
        check_message(err);
    }
    size_t at = size > 0 ? data[0] * (size_t)7919 % len : 0;
    text[at] ^= (char)(1 + (size > 1 ? data[1] % 255 : 0));
    nope_merge_begin();
    FUZZ_CHECK(nope_merge_part(text, len, err) != NOPE_OK, "part with byte %zu changed still accepted", at);
    check_message(err);
    return 0;
}
