// classify() and query_param() as a specification of the HTTP surface (README.md): which endpoint
// every method and path reaches, what is refused with 405 and its Allow header, and which path
// segments can never name a service.
#include <gtest/gtest.h>

#include "route.h"

namespace ggufd::gateway {
namespace {

struct Case {
    const char* method;
    const char* target;
    RouteKind kind;
};

TEST(Route, EveryEndpointIsReachedByItsMethodAndPath) {
    const Case cases[] = {
        {"POST", "/v1/chat/completions", RouteKind::model_api},
        {"POST", "/v1/completions", RouteKind::model_api},
        {"POST", "/v1/embeddings", RouteKind::model_api},
        {"POST", "/v1/rerank", RouteKind::model_api},
        {"POST", "/v1/responses", RouteKind::model_api},
        {"POST", "/v1/messages", RouteKind::model_api},
        {"POST", "/v1/anything/else", RouteKind::model_api},
        {"GET", "/v1/models", RouteKind::models_list},
        {"HEAD", "/v1/models", RouteKind::models_list},
        {"GET", "/v1/models/gemma", RouteKind::model_retrieve},
        {"OPTIONS", "/v1/chat/completions", RouteKind::cors_preflight},
        {"OPTIONS", "/v1/models", RouteKind::cors_preflight},
        {"OPTIONS", "/upstream/gemma/completion", RouteKind::cors_preflight},
        {"GET", "/health", RouteKind::health},
        {"GET", "/health/gemma", RouteKind::service_health},
        {"GET", "/upstream/gemma/props", RouteKind::upstream},
        {"GET", "/services", RouteKind::services_list},
        {"GET", "/services/gemma", RouteKind::service_status},
        {"POST", "/services/gemma/start", RouteKind::service_action},
        {"POST", "/services/gemma/stop", RouteKind::service_action},
        {"POST", "/services/gemma/restart", RouteKind::service_action},
        {"GET", "/services/gemma/logs", RouteKind::service_logs},
        {"GET", "/gpus", RouteKind::gpus},
        {"GET", "/metrics", RouteKind::metrics},
        {"POST", "/reload", RouteKind::reload},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(classify(c.method, c.target).kind, c.kind) << c.method << " " << c.target;
    }
}

TEST(Route, PerServiceRoutesNameTheServiceAndAction) {
    Route health = classify("GET", "/health/gemma3-4b");
    EXPECT_EQ(health.service, "gemma3-4b");
    Route status = classify("GET", "/services/Qwen2.5-7B");
    EXPECT_EQ(status.service, "Qwen2.5-7B");
    Route action = classify("POST", "/services/llama:8b/restart");
    EXPECT_EQ(action.service, "llama:8b");
    EXPECT_EQ(action.action, "restart");
    EXPECT_EQ(classify("POST", "/services/a/stop").action, "stop");
    Route logs = classify("GET", "/services/a/logs?tail=50&follow=1");
    EXPECT_EQ(logs.kind, RouteKind::service_logs);
    EXPECT_EQ(logs.service, "a");
    EXPECT_EQ(logs.query, "tail=50&follow=1");
}

TEST(Route, WrongMethodsAre405WithTheAllowedOnes) {
    const std::pair<Case, const char*> cases[] = {
        {{"POST", "/v1/models", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"POST", "/v1/models/gemma", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"DELETE", "/v1/models/gemma", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"OPTIONS", "/health", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"OPTIONS", "/services", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"OPTIONS", "/reload", RouteKind::method_not_allowed}, "POST"},
        {{"GET", "/v1/chat/completions", RouteKind::method_not_allowed}, "POST"},
        {{"DELETE", "/health", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"POST", "/health/gemma", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"PUT", "/services", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"DELETE", "/services/gemma", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"GET", "/services/gemma/start", RouteKind::method_not_allowed}, "POST"},
        {{"POST", "/services/gemma/logs", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"POST", "/gpus", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"POST", "/metrics", RouteKind::method_not_allowed}, "GET, HEAD"},
        {{"GET", "/reload", RouteKind::method_not_allowed}, "POST"},
        {{"post", "/reload", RouteKind::method_not_allowed}, "POST"},  // methods are case-sensitive
    };
    for (const auto& [c, allow] : cases) {
        Route route = classify(c.method, c.target);
        EXPECT_EQ(route.kind, RouteKind::method_not_allowed) << c.method << " " << c.target;
        EXPECT_EQ(route.allowed_methods, allow) << c.method << " " << c.target;
    }
}

TEST(Route, QueryStringsDoNotChangeTheEndpoint) {
    EXPECT_EQ(classify("GET", "/v1/models?limit=5").kind, RouteKind::models_list);
    EXPECT_EQ(classify("GET", "/health?verbose=1").kind, RouteKind::health);
    EXPECT_EQ(classify("POST", "/v1/chat/completions?x=1").kind, RouteKind::model_api);
    EXPECT_EQ(classify("GET", "/health/gemma?x=1").service, "gemma");
    EXPECT_EQ(classify("GET", "/services?").kind, RouteKind::services_list);
}

TEST(Route, UpstreamPassesAnyMethodAndTheRestOfThePath) {
    Route route = classify("GET", "/upstream/gemma/props");
    EXPECT_EQ(route.service, "gemma");
    EXPECT_EQ(route.upstream_target, "/props");

    route = classify("POST", "/upstream/gemma/v1/chat/completions?stream=1&x=%20y");
    EXPECT_EQ(route.kind, RouteKind::upstream);
    EXPECT_EQ(route.upstream_target, "/v1/chat/completions?stream=1&x=%20y") << "query kept, nothing decoded";

    for (const char* method : {"PUT", "DELETE", "PATCH", "HEAD"}) {
        EXPECT_EQ(classify(method, "/upstream/gemma/slots/0").kind, RouteKind::upstream) << method;
    }
    EXPECT_EQ(classify("GET", "/upstream/gemma").upstream_target, "/") << "the child's root (its web UI)";
    EXPECT_EQ(classify("GET", "/upstream/gemma/").upstream_target, "/");
    EXPECT_EQ(classify("GET", "/upstream/gemma?a=b").upstream_target, "/?a=b");
    EXPECT_EQ(classify("GET", "/upstream/gemma/a//b").upstream_target, "/a//b");
}

TEST(Route, ModelIdsArePercentDecodedAndMayHoldSlashesAndColons) {
    EXPECT_EQ(classify("GET", "/v1/models/llama:8b").service, "llama:8b");
    EXPECT_EQ(classify("GET", "/v1/models/llama%3A8b").service, "llama:8b") << "as some SDKs encode it";
    EXPECT_EQ(classify("GET", "/v1/models/org%2Fmodel").service, "org/model") << "as the OpenAI SDK encodes it";
    EXPECT_EQ(classify("GET", "/v1/models/org/model?x=1").service, "org/model") << "as curl users type it";
    Route bad = classify("GET", "/v1/models/a%zz%00");
    EXPECT_EQ(bad.kind, RouteKind::model_retrieve) << "still a model lookup, which finds nothing";
    EXPECT_EQ(bad.service, "a%zz%00");
    EXPECT_EQ(classify("GET", "/v1/models/a%00").service, "a%00") << "no control characters decoded";
    EXPECT_EQ(classify("GET", "/v1/models/").service, "");
}

TEST(Route, PreflightsNameTheMethodsOfTheirPath) {
    EXPECT_EQ(classify("OPTIONS", "/v1/chat/completions").allowed_methods, "POST");
    EXPECT_EQ(classify("OPTIONS", "/v1/models/x").allowed_methods, "GET, HEAD");
    EXPECT_EQ(classify("OPTIONS", "/upstream/gemma/slots/0").allowed_methods, "GET, HEAD, POST, PUT, PATCH, DELETE");
    EXPECT_EQ(classify("OPTIONS", "/upstream/a%2Fb/x").kind, RouteKind::not_found);
}

TEST(Route, CorsOnlyOnTheModelApis) {
    for (RouteKind kind : {RouteKind::model_api, RouteKind::models_list, RouteKind::model_retrieve,
                           RouteKind::cors_preflight, RouteKind::upstream}) {
        EXPECT_TRUE(allows_cors(kind));
        EXPECT_FALSE(is_admin(kind));
    }
    for (RouteKind kind : {RouteKind::health, RouteKind::service_health, RouteKind::services_list,
                           RouteKind::service_status, RouteKind::service_action, RouteKind::service_logs, RouteKind::gpus,
                           RouteKind::metrics, RouteKind::reload, RouteKind::not_found, RouteKind::method_not_allowed}) {
        EXPECT_FALSE(allows_cors(kind));
    }
}

TEST(Route, ImplausibleServiceNamesAreNotFound) {
    for (const char* target : {"/health/", "/health/a/b", "/health/a%2Fb", "/upstream/", "/upstream//props",
                               "/upstream/a%2Fb/props", "/services/", "/services//start", "/services/%2e%2e",
                               "/services/a%2Fb/logs"}) {
        for (const char* method : {"GET", "POST"}) {
            Route route = classify(method, target);
            EXPECT_EQ(route.kind, RouteKind::not_found) << method << " " << target;
            EXPECT_TRUE(route.allowed_methods.empty()) << method << " " << target;
        }
    }
}

TEST(Route, UnknownPathsAreNotFound) {
    for (const char* target : {"/", "", "/v1", "/v2/models", "/healthz", "/health/a/b", "/services/a/bogus",
                               "/services/a/start/now", "/services/a/logs/x", "/metrics/x", "/gpus/0",
                               "http://host/v1/models", "*"}) {
        EXPECT_EQ(classify("GET", target).kind, RouteKind::not_found) << target;
    }
}

TEST(Route, AdminRoutesAreTheServiceControlAndFleetViews) {
    for (RouteKind kind : {RouteKind::services_list, RouteKind::service_status, RouteKind::service_action,
                           RouteKind::service_logs, RouteKind::gpus, RouteKind::metrics, RouteKind::reload}) {
        EXPECT_TRUE(is_admin(kind));
    }
    for (RouteKind kind : {RouteKind::model_api, RouteKind::models_list, RouteKind::health, RouteKind::service_health,
                           RouteKind::upstream, RouteKind::not_found, RouteKind::method_not_allowed}) {
        EXPECT_FALSE(is_admin(kind));
    }
}

TEST(QueryParam, FindsWholeNamesOnly) {
    EXPECT_EQ(query_param("tail=50&follow=1", "tail"), "50");
    EXPECT_EQ(query_param("tail=50&follow=1", "follow"), "1");
    EXPECT_EQ(query_param("tail=50&follow=1", "missing"), "");
    EXPECT_EQ(query_param("tails=5&tail=7", "tail"), "7") << "a longer name is another parameter";
    EXPECT_EQ(query_param("xtail=5", "tail"), "");
    EXPECT_EQ(query_param("tail=1&tail=2", "tail"), "1") << "the first occurrence wins";
    EXPECT_EQ(query_param("tail=&x=1", "tail"), "");
    EXPECT_EQ(query_param("&&tail=3&", "tail"), "3");
    EXPECT_EQ(query_param("a=b=c", "a"), "b=c");
    EXPECT_EQ(query_param("", "tail"), "");
}

}  // namespace
}  // namespace ggufd::gateway
