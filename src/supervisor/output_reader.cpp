#include "output_reader.h"

#include <cerrno>

namespace ggufd::supervisor {

void LineSplitter::feed(std::string_view data, const std::function<void(std::string)>& emit) {
    while (!data.empty()) {
        size_t newline = data.find('\n');
        std::string_view piece = data.substr(0, newline);
        size_t room = max_line_ - partial_.size();
        if (piece.size() >= room && (newline == std::string_view::npos || piece.size() > room)) {
            partial_.append(piece.substr(0, room));
            emit(std::move(partial_));
            partial_.clear();
            data.remove_prefix(room);
            continue;
        }
        partial_.append(piece);
        if (newline == std::string_view::npos) return;
        if (!partial_.empty() && partial_.back() == '\r') partial_.pop_back();
        emit(std::move(partial_));
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
    loop_.add(pipe_.get(), EPOLLIN, this);
}

OutputReader::~OutputReader() { close_pipe(); }

void OutputReader::on_io(uint32_t) { drain(); }

void OutputReader::drain() {
    if (!pipe_) return;
    char buffer[16384];
    while (true) {
        ssize_t n = ::read(pipe_.get(), buffer, sizeof buffer);
        if (n > 0) {
            splitter_.feed(std::string_view(buffer, static_cast<size_t>(n)), on_line_);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        // EOF (every writer closed) or a read error: nothing more will come.
        splitter_.flush(on_line_);
        close_pipe();
        return;
    }
}

void OutputReader::close_pipe() {
    if (!pipe_) return;
    loop_.remove(pipe_.get());
    pipe_.reset();
}

}  // namespace ggufd::supervisor
