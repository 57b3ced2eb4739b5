// Adversarial suite entry point: this process adopts orphaned descendants (as the integration
// suite does) and may hold many connections, so it raises its own descriptor limit first.
#include <gtest/gtest.h>

#include "attack.h"
#include "process.h"

int main(int argc, char** argv) {
    ggufd::test::become_subreaper();
    ggufd::test::raise_own_fd_limit();
    testing::InitGoogleTest(&argc, argv);
    return RUN_ALL_TESTS();
}
