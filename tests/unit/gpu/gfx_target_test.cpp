#include "gfx_target.h"

#include <gtest/gtest.h>

using ggufd::gpu::gfx_name;
using ggufd::gpu::integrated_only_target;

TEST(GfxTarget, NamesTargetsAsRocmDoes) {
    EXPECT_EQ(gfx_name(110001), "gfx1101");  // RX 7800 XT: hardware 11.0.3, compiler target 11.0.1
    EXPECT_EQ(gfx_name(100306), "gfx1036");
    EXPECT_EQ(gfx_name(110501), "gfx1151");
    EXPECT_EQ(gfx_name(90012), "gfx90c");    // minor and stepping are hex digits
    EXPECT_EQ(gfx_name(90402), "gfx942");
    EXPECT_EQ(gfx_name(90010), "gfx90a");
    EXPECT_EQ(gfx_name(120001), "gfx1201");
    EXPECT_EQ(gfx_name(0), "");
}

TEST(GfxTarget, KnowsWhichTargetsOnlyShipInApus) {
    EXPECT_TRUE(integrated_only_target("gfx1036"));
    EXPECT_TRUE(integrated_only_target("gfx1151"));
    EXPECT_TRUE(integrated_only_target("gfx1103"));
    EXPECT_TRUE(integrated_only_target("gfx90c"));
    EXPECT_FALSE(integrated_only_target("gfx1100"));
    EXPECT_FALSE(integrated_only_target("gfx1101"));
    EXPECT_FALSE(integrated_only_target("gfx942"));  // MI300X is discrete, MI300A is not
    EXPECT_FALSE(integrated_only_target(""));
}
