/* Partials in core (nope/partial.h), in each numeric mode: shards of a run written as partials and
 * merged in another order give the very report text of one run; a merge refuses forged parts
 * whose checksum is right but whose content a run would not write. The command-line side (files,
 * messages, exit codes) is tests/scripts/shard_merge.sh. */
#include <stdio.h>

#include "test_report_text.h"

#include "nope/decimal.h"

#include "nope/num.h"
#include "nope/partial.h"

static char parts[7][1 << 16];
static size_t part_len[7];

static void collect_part(void *ctx, const char *bytes, size_t n)
{
    size_t k = *(size_t *)ctx;
    assert_true(part_len[k] + n < sizeof parts[k]);
    memcpy(parts[k] + part_len[k], bytes, n);
    part_len[k] += n;
}

static void write_shards(nope_config cfg, size_t count)
{
    cfg.shards = (uint32_t)count;
    for (size_t k = 0; k < count; k++) {
        cfg.shard = (uint32_t)k + 1;
        part_len[k] = 0;
        assert_int_equal(nope_experiment_run(&cfg, NULL, NULL), NOPE_OK);
        nope_sink sink = {collect_part, &k};
        nope_partial_write(&cfg, &sink);
    }
}

static void test_shards_merge_into_the_report_of_one_run(void **state)
{
    (void)state;
    static char one[1 << 20];
    nope_config cfg = report_small_config(13);
    cfg.sigma = nope_dec_make(3, -1, false); /* peaked attention: sums far from uniform */
    cfg.sigma_q = 5033165;
    assert_int_equal(nope_experiment_run(&cfg, NULL, NULL), NOPE_OK);
    report_capture(&cfg);
    memcpy(one, report, report_len + 1);
    size_t one_len = report_len;

    write_shards(cfg, 7);
    static const size_t order[7] = {6, 2, 0, 5, 1, 4, 3};
    char err[NOPE_MERGE_ERR_MAX];
    nope_merge_begin();
    for (size_t k = 0; k < 7; k++)
        assert_int_equal(nope_merge_part(parts[order[k]], part_len[order[k]], err), NOPE_OK);
    nope_config merged;
    assert_int_equal(nope_merge_end(&merged, err), NOPE_OK);
    report_capture(&merged);
    assert_int_equal(report_len, one_len);
    assert_memory_equal(report, one, one_len);
}

/* Replace the first occurrence of from by to in part 0 and write its checksum again. */
static void forge(const char *from, const char *to)
{
    char *at = strstr(parts[0], from);
    assert_non_null(at);
    size_t from_len = strlen(from), to_len = strlen(to);
    memmove(at + to_len, at + from_len, part_len[0] - (size_t)(at - parts[0]) - from_len + 1);
    memcpy(at, to, to_len);
    part_len[0] = part_len[0] - from_len + to_len;
    char *sum_line = strstr(parts[0], "# checksum fnv1a64=");
    assert_non_null(sum_line);
    uint64_t h = nope_fnv1a64(NOPE_FNV1A64_INIT, parts[0], (size_t)(sum_line - parts[0]));
    snprintf(sum_line, 64, "# checksum fnv1a64=%016llx\n", (unsigned long long)h);
    part_len[0] = strlen(parts[0]);
}

static void expect_refused(const char *why)
{
    char err[NOPE_MERGE_ERR_MAX];
    nope_merge_begin();
    assert_int_equal(nope_merge_part(parts[0], part_len[0], err), NOPE_ERR_ARG);
    assert_non_null(strstr(err, why));
}

static void test_forged_parts_are_refused(void **state)
{
    (void)state;
    nope_config cfg = report_small_config(6);
    write_shards(cfg, 2);
    forge("seed=1", "seed=01");
    expect_refused("not as a run writes it");
    write_shards(cfg, 2);
    forge(" seed=1", " seed=1 shard=1/2");
    expect_refused("not as a run writes it");
    write_shards(cfg, 2);
    forge("d=16", "d=99999");
    expect_refused("does not run here");
    write_shards(cfg, 2);
    forge("to=3", "to=7");
    expect_refused("beyond the run's 6 trials");
    write_shards(cfg, 2);
    forge("\n1,2,", "\n1,3,");
    expect_refused("not one row per layer and position");
    write_shards(cfg, 2);
    forge("\n2,8,", "\n2,8,x");
    expect_refused("do not read as this mode's");
#if NOPE_NUM == NOPE_NUM_FIXED
    /* sums near the top of their words: the third of them would leave the range, and the merge
     * says so instead of wrapping around */
    write_shards(cfg, 3);
    char row[128];
    snprintf(row, sizeof row, "\n1,1,%s:0,", "7fffffffffffffffffffffff");
    char *line = strstr(parts[0], "\n1,1,");
    char *end = strchr(line + 5, ',');
    char old[256];
    snprintf(old, sizeof old, "%.*s", (int)(end - line + 1), line);
    forge(old, row);
    char err[NOPE_MERGE_ERR_MAX];
    nope_merge_begin();
    assert_int_equal(nope_merge_part(parts[0], part_len[0], err), NOPE_OK);
    forge("from=0 to=2", "from=2 to=4");
    assert_int_equal(nope_merge_part(parts[0], part_len[0], err), NOPE_OK);
    forge("from=2 to=4", "from=4 to=6");
    assert_int_equal(nope_merge_part(parts[0], part_len[0], err), NOPE_ERR_ARG);
    assert_non_null(strstr(err, "leave the sums' range"));
#endif
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shards_merge_into_the_report_of_one_run),
        cmocka_unit_test(test_forged_parts_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
