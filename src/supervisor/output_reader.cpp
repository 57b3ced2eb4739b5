#include "output_reader.h"

#include <algorithm>
#include <cerrno>

namespace ggufd::supervisor {

void LineSplitter::feed(std::string_view data, const std::function<void(std::string)>& emit) {
    while (!data.empty()) {
        size_t newline = data.find('\n');
        partial_.append(data.substr(0, newline));
        if (newline == std::string_view::npos) {
            // Hand on only what is certainly more than one line: a line of exactly max_line may
            // still end with the next read, and a final CR may be half of a CRLF.
            while (partial_.size() > max_line_ + (partial_.back() == '\r' ? 1 : 0)) {
                emit(partial_.substr(0, max_line_));
                partial_.erase(0, max_line_);
            }
            return;
        }
        std::string_view line = partial_;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        do {
            emit(std::string(line.substr(0, max_line_)));
            line.remove_prefix(std::min(line.size(), max_line_));
        } while (!line.empty());
        partial_.clear();
        data.remove_prefix(newline + 1);
    }
}

void LineSplitter::flush(const std::function<void(std::string)>& emit) {
    if (partial_.empty()) return;
    emit(std::move(partial_));
    partial_.clear();
}

OutputReader::OutputReader(net::EventLoop& loop, net::UniqueFd pipe, LineCallback on_line)
    : loop_(loop), pipe_(std::move(pipe)), on_line_(std::move(on_line)) {
    // One-shot: after an event the pipe is not watched until the batch has been read, so a
    // burst of lines costs one wake-up, not one per line.
    loop_.add(pipe_.get(), EPOLLIN | EPOLLONESHOT, this);
}

OutputReader::~OutputReader() {
    if (batch_timer_) loop_.cancel_timer(batch_timer_);
    close_pipe();
}

void OutputReader::on_io(uint32_t) {
    if (batch_timer_) return;  // a read is already due
    batch_timer_ = loop_.add_timer(kBatchDelay, [this] { read_batch(); });
}

void OutputReader::read_batch() {
    batch_timer_ = 0;
    bool more = read_some(kBatchBudget);
    if (!pipe_) return;
    if (more) {
        // Over budget: come back after the next batch delay, whatever else is due meanwhile.
        batch_timer_ = loop_.add_timer(kBatchDelay, [this] { read_batch(); });
    } else {
        loop_.modify(pipe_.get(), EPOLLIN | EPOLLONESHOT, this);  // watch again
    }
}

void OutputReader::drain_final() {
    if (batch_timer_) loop_.cancel_timer(batch_timer_);
    batch_timer_ = 0;
    read_some(kFinalBudget);
    if (!pipe_) return;
    splitter_.flush(on_line_);
    close_pipe();
}

bool OutputReader::read_some(size_t budget) {
    if (!pipe_) return false;
    char buffer[16384];
    while (budget > 0) {
        ssize_t n = ::read(pipe_.get(), buffer, std::min(sizeof buffer, budget));
        if (n > 0) {
            budget -= static_cast<size_t>(n);
            splitter_.feed(std::string_view(buffer, static_cast<size_t>(n)), on_line_);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return false;
        // EOF (every writer closed) or a read error: nothing more will come.
        splitter_.flush(on_line_);
        close_pipe();
        return false;
    }
    return true;
}

void OutputReader::close_pipe() {
    if (!pipe_) return;
    loop_.remove(pipe_.get());
    pipe_.reset();
}

}  // namespace ggufd::supervisor
