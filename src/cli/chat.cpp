// The terminal side of `ggufd chat` (see chat.h): the prompt, Ctrl-C, and printing a reply as
// it streams. The conversation and the decoding are in chat_session.h, the request in
// chat_stream.h.
#include "chat.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <optional>
#include <utility>

#include "chat_session.h"
#include "chat_stream.h"
#include "config_source.h"
#include "daemon_client.h"
#include "exit_codes.h"

namespace ggufd::cli {
namespace {

struct Reply {
    int exit_code = kOk;
    std::string text;  ///< what was shown, even when the reply was stopped or failed midway
};

// Prints a reply's content as it arrives, reasoning (thinking models) set apart.
class ReplyPrinter {
public:
    void show(const ChatStreamDecoder::Piece& piece) {
        using Kind = ChatStreamDecoder::Piece::Kind;
        if (piece.kind == Kind::reasoning) {
            if (!thinking_) std::fputs("Thinking...\n", stdout);
            thinking_ = true;
            print(piece.text);
        } else if (piece.kind == Kind::content) {
            if (thinking_) std::fputs("\n...done thinking.\n\n", stdout);
            thinking_ = false;
            print(piece.text);
            text_ += piece.text;
        } else if (piece.kind == Kind::error) {
            error_ = piece.text;
        }
    }
    void end_line() {
        if (!at_line_start_) std::fputc('\n', stdout);
        std::fflush(stdout);
    }
    const std::string& text() const { return text_; }
    const std::string& error() const { return error_; }

private:
    void print(const std::string& text) {
        if (text.empty()) return;
        std::fputs(text.c_str(), stdout);
        std::fflush(stdout);
        at_line_start_ = text.back() == '\n';
    }
    bool thinking_ = false;
    bool at_line_start_ = true;
    std::string text_;
    std::string error_;
};

// Streams one reply to stdout. `interrupts` (a signalfd for SIGINT, or -1) stops it.
Reply stream_reply(const DaemonClient& door, const std::string& body, int interrupts) {
    ChatStreamDecoder decoder;
    ReplyPrinter printer;
    ReplyStream stream(door.url(), door.api_key(), body, [&](std::string_view bytes) {
        for (const auto& piece : decoder.feed(bytes)) printer.show(piece);
    });
    bool cancelled = false;
    while (true) {
        pollfd fds[2] = {{stream.finished_fd(), POLLIN, 0}, {interrupts, POLLIN, 0}};
        // Once cancelled, cancel again until it ends: a Ctrl-C that came before the connection
        // was made found no socket to shut down.
        if (::poll(fds, interrupts >= 0 ? 2 : 1, cancelled ? 100 : -1) < 0 && errno != EINTR) break;
        if (fds[0].revents) break;
        if (interrupts >= 0 && (fds[1].revents & POLLIN)) {
            signalfd_siginfo info{};
            [[maybe_unused]] ssize_t n = ::read(interrupts, &info, sizeof info);
            cancelled = true;
        }
        if (cancelled) stream.cancel();
    }
    ReplyStream::Result result = stream.wait();
    printer.end_line();
    if (result.cancelled) {
        std::fputs("(reply stopped)\n", stderr);
        return {kOk, printer.text()};
    }
    if (result.status != 200) {
        return {report_failure(door, {result.status, result.error_body, result.error}), printer.text()};
    }
    if (!printer.error().empty()) {
        std::fprintf(stderr, "ggufd: the reply failed: %s\n", printer.error().c_str());
        return {kFailed, printer.text()};
    }
    return {kOk, printer.text()};
}

// The models the front door serves: (id, service) for every name and alias.
std::optional<std::vector<std::pair<std::string, std::string>>> list_models(const DaemonClient& door, int& exit_code) {
    auto response = door.get("/v1/models");
    if (response.status != 200) {
        exit_code = report_failure(door, response);
        return std::nullopt;
    }
    std::vector<std::pair<std::string, std::string>> models;
    auto body = nlohmann::json::parse(response.body, nullptr, false);
    if (body.is_object() && body["data"].is_array()) {
        for (const auto& entry : body["data"]) {
            if (entry.is_object() && entry["id"].is_string()) {
                models.emplace_back(entry["id"].get<std::string>(), entry.value("service", entry["id"].get<std::string>()));
            }
        }
    }
    return models;
}

std::string names_of(const std::vector<std::pair<std::string, std::string>>& models) {
    std::string names;
    for (const auto& [id, service] : models) names += (names.empty() ? "" : ", ") + id;
    return names;
}

// The model to talk to when none was named: the only service there is.
std::optional<std::string> only_model(const DaemonClient& door, int& exit_code) {
    auto models = list_models(door, exit_code);
    if (!models) return std::nullopt;
    std::vector<std::string> services;
    for (const auto& [id, service] : *models) {
        if (std::find(services.begin(), services.end(), service) == services.end()) services.push_back(service);
    }
    if (services.size() == 1) return services.front();
    if (services.empty()) {
        std::fprintf(stderr, "ggufd: the daemon at %s serves no model: put a GGUF file in its models directory "
                             "(~/models by default) and run `ggufd reload`\n", door.url().c_str());
        exit_code = kNotFound;
    } else {
        std::fprintf(stderr, "ggufd: the daemon serves several models; name one: ggufd chat MODEL (%s)\n",
                     names_of(*models).c_str());
        exit_code = kUsage;
    }
    return std::nullopt;
}

// Reads the next line typed at the prompt; nullopt at end of input. SIGINT at the prompt
// abandons the line typed so far.
class PromptReader {
public:
    explicit PromptReader(int interrupts) : interrupts_(interrupts) {}
    std::optional<std::string> next() {
        while (true) {
            size_t eol = buffer_.find('\n');
            if (eol != std::string::npos) {
                std::string line = buffer_.substr(0, eol);
                buffer_.erase(0, eol + 1);
                return line;
            }
            pollfd fds[2] = {{STDIN_FILENO, POLLIN, 0}, {interrupts_, POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) {
                if (errno == EINTR) continue;
                return std::nullopt;
            }
            if (fds[1].revents & POLLIN) {
                signalfd_siginfo info{};
                [[maybe_unused]] ssize_t n = ::read(interrupts_, &info, sizeof info);
                buffer_.clear();
                std::fputs("\n(Ctrl-C stops a reply; /quit or Ctrl-D leaves)\n>>> ", stdout);
                std::fflush(stdout);
                continue;
            }
            char chunk[4096];
            ssize_t n = ::read(STDIN_FILENO, chunk, sizeof chunk);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                if (buffer_.empty()) return std::nullopt;
                return std::exchange(buffer_, {});
            }
            buffer_.append(chunk, static_cast<size_t>(n));
        }
    }

private:
    int interrupts_;
    std::string buffer_;
};

void switch_model(const DaemonClient& door, ChatSession& session, const std::string& name) {
    int exit_code = kOk;
    auto models = list_models(door, exit_code);
    if (!models) return;
    bool known = std::any_of(models->begin(), models->end(), [&](const auto& model) { return model.first == name; });
    if (!known) {
        std::printf("usage: /model NAME, one of: %s\n", names_of(*models).c_str());
        return;
    }
    session.set_model(name);
    std::printf("(now chatting with %s; the conversation carries over, /clear starts afresh)\n", name.c_str());
}

void set_fields(ChatSession& session, const std::string& item) {
    auto fields = parse_fields({item});
    if (auto* error = std::get_if<std::string>(&fields)) {
        std::printf("%s\n", error->c_str());
        return;
    }
    session.set_fields(std::get<nlohmann::json>(fields));
    std::printf("(set %s for the replies to come)\n", item.c_str());
}

// Carries out what a line typed at the prompt asks for; false when it asks to leave.
bool carry_out(const ChatInput& input, const DaemonClient& door, ChatSession& session, int interrupts) {
    switch (input.kind) {
        case ChatInput::Kind::empty: return true;
        case ChatInput::Kind::quit: return false;
        case ChatInput::Kind::clear:
            session.clear();
            std::puts("(conversation cleared)");
            return true;
        case ChatInput::Kind::help: std::fputs(chat_commands_help().c_str(), stdout); return true;
        case ChatInput::Kind::unknown_command:
            std::printf("unknown command %s; the commands are:\n%s", input.text.c_str(), chat_commands_help().c_str());
            return true;
        case ChatInput::Kind::model: switch_model(door, session, input.text); return true;
        case ChatInput::Kind::set: set_fields(session, input.text); return true;
        case ChatInput::Kind::message: break;
    }
    Reply reply = stream_reply(door, session.request_body(input.text), interrupts);
    if (reply.exit_code == kOk) session.remember(input.text, reply.text);
    return true;
}

int interactive(const DaemonClient& door, ChatSession& session) {
    sigset_t interrupt;
    sigemptyset(&interrupt);
    sigaddset(&interrupt, SIGINT);
    pthread_sigmask(SIG_BLOCK, &interrupt, nullptr);  // before the stream threads exist
    net::UniqueFd interrupts(::signalfd(-1, &interrupt, SFD_CLOEXEC | SFD_NONBLOCK));
    PromptReader prompt(interrupts.get());
    std::printf("chatting with %s at %s; /help lists the commands, Ctrl-D leaves\n", session.model().c_str(),
                door.url().c_str());
    while (true) {
        std::fputs(">>> ", stdout);
        std::fflush(stdout);
        auto line = prompt.next();
        if (!line) {
            std::fputc('\n', stdout);
            return kOk;
        }
        if (!carry_out(parse_chat_input(*line), door, session, interrupts.get())) return kOk;
    }
}

int one_shot(const DaemonClient& door, const ChatSession& session) {
    std::string message;
    char chunk[4096];
    for (ssize_t n; (n = ::read(STDIN_FILENO, chunk, sizeof chunk)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) break;
        message.append(chunk, static_cast<size_t>(n));
    }
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) message.pop_back();
    if (message.empty()) {
        std::fputs("ggufd: nothing to send: standard input was empty (echo 'Hi' | ggufd chat MODEL)\n", stderr);
        return kUsage;
    }
    return stream_reply(door, session.request_body(message), -1).exit_code;
}

}  // namespace

int run_chat(const ChatOptions& options) {
    auto fields = parse_fields(options.parameters);
    if (auto* error = std::get_if<std::string>(&fields)) {
        std::fprintf(stderr, "ggufd: %s\n", error->c_str());
        return kUsage;
    }
    std::optional<config::Config> config;
    if (options.url.empty()) {
        LoadedConfig loaded = load_config(options.config_path);
        if (!loaded.result.errors.empty()) {  // its warnings are the daemon's business
            report_load(loaded);
            return kUsage;
        }
        config = loaded.result.config;
    }
    DaemonClient door(options.url, config, std::chrono::seconds(30), Door::front);
    std::string model = options.model;
    if (model.empty()) {
        int exit_code = kOk;
        auto only = only_model(door, exit_code);
        if (!only) return exit_code;
        model = *only;
    }
    ChatSession session(model, options.system_prompt, std::get<nlohmann::json>(fields));
    return ::isatty(STDIN_FILENO) ? interactive(door, session) : one_shot(door, session);
}

}  // namespace ggufd::cli
