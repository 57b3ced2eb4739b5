// Reads a child's merged stdout/stderr from its pipe and hands it on line by line. A child that
// prints a gigabyte without a newline cannot make us buffer it: long lines are cut. Reads are
// batched: llama-server writes each log line on its own, and waking the supervisor for every
// one of them cost more CPU than relaying the request they describe.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "ggufd/net/event_loop.h"

namespace ggufd::supervisor {

/// LineSplitter turns a byte stream into lines (without "\n" or "\r\n"), cutting lines longer
/// than `max_line` into pieces. Pure, for unit tests.
class LineSplitter {
public:
    explicit LineSplitter(size_t max_line = 8192) : max_line_(max_line > 0 ? max_line : 1) {}
    /// Calls `emit` for every complete line in `data` (together with what came before).
    void feed(std::string_view data, const std::function<void(std::string)>& emit);
    /// Emits what remains (a last line without a newline).
    void flush(const std::function<void(std::string)>& emit);

private:
    size_t max_line_;
    std::string partial_;
};

class OutputReader : public net::IoHandler {
public:
    using LineCallback = std::function<void(std::string line)>;
    /// How long output may wait in the pipe before it is read (the pipe holds 1 MiB, so a child
    /// blocks on its log only beyond ~100 MB/s).
    static constexpr std::chrono::milliseconds kBatchDelay{10};

    OutputReader(net::EventLoop& loop, net::UniqueFd pipe, LineCallback on_line);
    ~OutputReader() override;

    void on_io(uint32_t events) override;
    /// Reads whatever is buffered in the pipe right now (e.g. the last words of a child that
    /// just exited), without waiting.
    void drain();

private:
    void close_pipe();

    net::EventLoop& loop_;
    net::UniqueFd pipe_;
    LineCallback on_line_;
    LineSplitter splitter_;
    net::EventLoop::TimerId batch_timer_ = 0;
};

}  // namespace ggufd::supervisor
