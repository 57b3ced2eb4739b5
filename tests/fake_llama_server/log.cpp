// log_line: one write(2) per line, retried on partial writes and signals.
#include "log.h"

#include <unistd.h>

#include <cerrno>
#include <string>

namespace ggufd::fake {

void log_line(std::string_view text) {
    std::string line;
    line.reserve(text.size() + 1);
    line.append(text);
    line += '\n';
    const char* data = line.data();
    size_t left = line.size();
    while (left > 0) {
        ssize_t written = ::write(STDERR_FILENO, data, left);
        if (written < 0) {
            if (errno == EINTR) continue;
            return;  // nowhere left to report a broken stderr
        }
        data += written;
        left -= static_cast<size_t>(written);
    }
}

}  // namespace ggufd::fake
