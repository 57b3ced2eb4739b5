// The scale-out admin routes (docs/SCALE-OUT.md): GET /node, the drain endpoints, and that they
// all belong to the admin API.
#include <gtest/gtest.h>

#include "route.h"

namespace ggufd::gateway {
namespace {

TEST(NodeRoutes, Classified) {
    EXPECT_EQ(classify("GET", "/node").kind, RouteKind::node_info);
    EXPECT_EQ(classify("GET", "/drain").kind, RouteKind::drain_status);
    Route node_drain = classify("POST", "/drain");
    EXPECT_EQ(node_drain.kind, RouteKind::drain_action);
    EXPECT_EQ(node_drain.action, "drain");
    EXPECT_EQ(node_drain.service, "");
    EXPECT_EQ(classify("POST", "/undrain").action, "undrain");
    Route service_drain = classify("POST", "/services/qwen2.5:7b/drain");
    EXPECT_EQ(service_drain.kind, RouteKind::drain_action);
    EXPECT_EQ(service_drain.service, "qwen2.5:7b");
    EXPECT_EQ(service_drain.action, "drain");
    EXPECT_EQ(classify("POST", "/services/a/undrain").action, "undrain");
}

TEST(NodeRoutes, WrongMethods) {
    EXPECT_EQ(classify("POST", "/node").allowed_methods, "GET, HEAD");
    EXPECT_EQ(classify("DELETE", "/drain").allowed_methods, "GET, HEAD, POST");
    EXPECT_EQ(classify("GET", "/undrain").allowed_methods, "POST");
    EXPECT_EQ(classify("GET", "/services/a/drain").allowed_methods, "POST");
}

TEST(NodeRoutes, AllAdmin) {
    for (RouteKind kind : {RouteKind::node_info, RouteKind::drain_status, RouteKind::drain_action}) {
        EXPECT_TRUE(is_admin(kind));
    }
}

}  // namespace
}  // namespace ggufd::gateway
