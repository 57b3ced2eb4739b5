#include "kfd_properties.h"

#include <gtest/gtest.h>

using ggufd::gpu::parse_kfd_properties;
using ggufd::gpu::property;

TEST(KfdProperties, ReadsNameValueLinesAsTheKernelWritesThem) {
    auto p = parse_kfd_properties("cpu_cores_count 0\nsimd_count 120\ngfx_target_version 110001\n"
                                  "hive_id 0\nunique_id 12297829382473034410\n");
    EXPECT_EQ(property(p, "cpu_cores_count"), 0u);
    EXPECT_EQ(property(p, "simd_count"), 120u);
    EXPECT_EQ(property(p, "gfx_target_version"), 110001u);
    EXPECT_EQ(property(p, "unique_id"), 12297829382473034410ull);
    EXPECT_EQ(property(p, "drm_render_minor"), std::nullopt);
}

TEST(KfdProperties, SkipsLinesThatAreNotNumbersInsteadOfFailing) {
    auto p = parse_kfd_properties("sibling_map 1,0,0,0\nsize 2048\nbroken\n\nlevel -1\nwidth 64 extra\ntrailing 7");
    EXPECT_EQ(property(p, "size"), 2048u);
    EXPECT_EQ(property(p, "trailing"), 7u);
    EXPECT_EQ(property(p, "sibling_map"), std::nullopt);
    EXPECT_EQ(property(p, "level"), std::nullopt);
    EXPECT_EQ(property(p, "width"), std::nullopt);
    EXPECT_EQ(p.size(), 2u);
}
