// BodyValidator: a big body is read on a pool thread and comes back, with its own buffer (never a
// copy), through the job's callback; stopping drops the jobs not yet started, buffers and all.
#include "body_validator.h"

#include <gtest/gtest.h>

#include <future>
#include <memory>

#include "wait.h"

namespace ggufd::gateway {
namespace {

using ggufd::test::wait_until;

struct Answer {
    std::string buffer;
    ModelField field;
};

BodyValidator::Job job_for(std::string buffer, size_t offset, size_t length, std::promise<Answer>& answer) {
    return {std::move(buffer), offset, length, [&answer](std::string buffer, ModelField field) {
                answer.set_value({std::move(buffer), std::move(field)});
            }};
}

TEST(BodyValidator, ReadsTheBodyInItsBufferAndGivesTheBufferBack) {
    // The body sits between a request head and the next pipelined request, as in a connection's buffer.
    std::string body = R"({"messages":[{"role":"user","content":")" + std::string(1 << 20, 'x') + R"("}],"model":"big"})";
    std::string buffer = "POST /v1/chat/completions HTTP/1.1\r\n\r\n" + body + "GET /health HTTP/1.1\r\n\r\n";
    const size_t offset = buffer.find('{');
    const char* bytes = buffer.data();

    BodyValidator validator(1);
    std::promise<Answer> answer;
    validator.submit(job_for(std::move(buffer), offset, body.size(), answer));
    auto result = answer.get_future();
    ASSERT_EQ(result.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    Answer got = result.get();
    EXPECT_EQ(got.field.status, ModelField::Status::found);
    EXPECT_EQ(got.field.model, "big");
    EXPECT_EQ(got.buffer.data(), bytes) << "the buffer is moved, never copied";
    EXPECT_EQ(got.buffer.substr(offset, body.size()), body);
}

TEST(BodyValidator, AMalformedBodyIsReportedAsTheReferenceParserSaysIt) {
    std::string numbers;
    for (int i = 0; i < 50000; ++i) numbers += "1,";
    std::string buffer = "{\n  \"model\": \"gemma\",\n  \"x\": [" + numbers + "nope]\n}";
    BodyValidator validator(2);
    std::promise<Answer> answer;
    const size_t length = buffer.size();
    validator.submit(job_for(std::move(buffer), 0, length, answer));
    auto result = answer.get_future();
    ASSERT_EQ(result.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    ModelField field = result.get().field;
    EXPECT_EQ(field.status, ModelField::Status::invalid_json);
    EXPECT_NE(field.error.find("line 3"), std::string::npos) << field.error;
}

TEST(BodyValidator, StoppingDropsTheJobsNotYetStarted) {
    BodyValidator validator(1);
    // The one thread is held inside the first job's callback...
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::promise<void> first_running;
    validator.submit({R"({"model":"a"})", 0, 13, [&](std::string, ModelField) {
                          first_running.set_value();
                          released.wait();
                      }});
    first_running.get_future().wait();
    // ...so the second waits in the queue, and its buffer and callback go when it is dropped.
    auto sentinel = std::make_shared<int>(0);
    std::weak_ptr<int> watch = sentinel;
    bool second_ran = false;
    validator.submit({R"({"model":"b"})", 0, 13, [&second_ran, sentinel](std::string, ModelField) { second_ran = true; }});
    sentinel.reset();
    std::thread stopper([&] { validator.stop(); });
    EXPECT_TRUE(wait_until([&] { return watch.expired(); })) << "stop() drops the queued job";
    release.set_value();
    stopper.join();
    EXPECT_FALSE(second_ran);

    bool after_stop = false;
    validator.submit({R"({"model":"c"})", 0, 13, [&after_stop](std::string, ModelField) { after_stop = true; }});
    EXPECT_FALSE(after_stop) << "a stopped validator takes no more jobs";
}

TEST(BodyValidator, OneThreadPerTwoCoresAtLeastOneAtMostTwo) {
    EXPECT_EQ(BodyValidator::threads_for(0), 1);
    EXPECT_EQ(BodyValidator::threads_for(2), 1);
    EXPECT_EQ(BodyValidator::threads_for(4), 2);
    EXPECT_EQ(BodyValidator::threads_for(64), 2);
}

}  // namespace
}  // namespace ggufd::gateway
