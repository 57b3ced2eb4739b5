// Integration suite entry point: this process adopts orphaned descendants, so that the children
// of a daemon killed by a test can be seen to die rather than linger as zombies of PID 1.
#include <gtest/gtest.h>

#include "process.h"

int main(int argc, char** argv) {
    ggufd::test::become_subreaper();
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
