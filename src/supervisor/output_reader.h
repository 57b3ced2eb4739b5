// Reads a child's merged stdout/stderr from its pipe and hands it on line by line. A child that
// prints a gigabyte without a newline cannot make us buffer it: long lines are cut. Reads are
// batched: llama-server writes each log line on its own, and waking the supervisor for every
// one of them cost more CPU than relaying the request they describe. Each batch reads at most
// kBatchBudget bytes, so a child that floods its output is slowed by its own full pipe while
// exits, probes and other children are served between its batches.
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
    /// How long output may wait in the pipe before it is read.
    static constexpr std::chrono::milliseconds kBatchDelay{10};
    /// Bytes read per batch: 6.4 MB/s per child at most, far above what llama-server logs; a
    /// child that writes faster blocks on its full pipe (1 MiB) until the next batch.
    static constexpr size_t kBatchBudget = 64 * 1024;
    /// What is read at most when the child has exited: its last words, as much as a pipe holds.
    static constexpr size_t kFinalBudget = 1024 * 1024;

    OutputReader(net::EventLoop& loop, net::UniqueFd pipe, LineCallback on_line);
    ~OutputReader() override;

    void on_io(uint32_t events) override;
    /// Reads what the pipe holds now (up to kFinalBudget), then closes it: the last words of a
    /// child that has exited.
    void drain_final();

private:
    /// Reads up to `budget` bytes; true when the budget ran out before the pipe did.
    bool read_some(size_t budget);
    void read_batch();
    void close_pipe();

    net::EventLoop& loop_;
    net::UniqueFd pipe_;
    LineCallback on_line_;
    LineSplitter splitter_;
    net::EventLoop::TimerId batch_timer_ = 0;
};

}  // namespace ggufd::supervisor
