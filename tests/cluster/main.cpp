// Scale-out suite entry point: adopt orphaned descendants (see tests/integration/main.cpp), so
// the children of a node killed on purpose are seen to die.
#include <gtest/gtest.h>

#include "process.h"

int main(int argc, char** argv) {
    ggufd::test::become_subreaper();
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
