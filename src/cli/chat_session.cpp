// The conversation, the prompt's commands and the stream decoding of `ggufd chat` (see
// chat_session.h).
#include "chat_session.h"

namespace ggufd::cli {

ChatSession::ChatSession(std::string model, std::string system_prompt, nlohmann::json fields)
    : model_(std::move(model)), system_prompt_(std::move(system_prompt)), fields_(std::move(fields)) {
    if (!fields_.is_object()) fields_ = nlohmann::json::object();
}

std::string ChatSession::request_body(const std::string& user_text) const {
    nlohmann::json messages = nlohmann::json::array();
    if (!system_prompt_.empty()) messages.push_back({{"role", "system"}, {"content", system_prompt_}});
    for (const auto& message : exchanges_) messages.push_back(message);
    messages.push_back({{"role", "user"}, {"content", user_text}});
    nlohmann::json body = fields_;
    body["model"] = model_;
    body["messages"] = std::move(messages);
    body["stream"] = true;
    return body.dump();
}

void ChatSession::remember(const std::string& user_text, const std::string& reply) {
    exchanges_.push_back({{"role", "user"}, {"content", user_text}});
    exchanges_.push_back({{"role", "assistant"}, {"content", reply}});
}

ChatInput parse_chat_input(std::string_view line) {
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) return {ChatInput::Kind::empty, ""};
    if (line.starts_with("//")) return {ChatInput::Kind::message, std::string(line.substr(1))};
    if (!line.starts_with("/")) return {ChatInput::Kind::message, std::string(line)};
    std::string_view command = line.substr(0, line.find_first_of(" \t"));
    std::string_view argument = line.substr(command.size());
    argument.remove_prefix(std::min(argument.size(), argument.find_first_not_of(" \t")));
    while (!argument.empty() && (argument.back() == ' ' || argument.back() == '\t')) argument.remove_suffix(1);
    if (command == "/quit" || command == "/exit" || command == "/bye") return {ChatInput::Kind::quit, ""};
    if (command == "/clear") return {ChatInput::Kind::clear, ""};
    if (command == "/help" || command == "/?") return {ChatInput::Kind::help, ""};
    if (command == "/model") return {ChatInput::Kind::model, std::string(argument)};
    if (command == "/set") return {ChatInput::Kind::set, std::string(argument)};
    return {ChatInput::Kind::unknown_command, std::string(command)};
}

std::string chat_commands_help() {
    return "  /model NAME   go on with another model (the conversation so far carries over)\n"
           "  /clear        forget the conversation so far\n"
           "  /set K=V      a request field for the replies to come, as --set (e.g. /set temperature=0.2)\n"
           "  /quit         leave (also /exit, /bye, or Ctrl-D)\n"
           "  /help         this list\n"
           "  Ctrl-C        stop a reply; //text sends a message that starts with /\n";
}

std::variant<nlohmann::json, std::string> parse_fields(const std::vector<std::string>& items) {
    nlohmann::json fields = nlohmann::json::object();
    for (const auto& item : items) {
        size_t eq = item.find('=');
        if (eq == std::string::npos || eq == 0) return "--set " + item + ": expected KEY=VALUE, e.g. --set temperature=0.2";
        const std::string key = item.substr(0, eq);
        if (key == "model" || key == "messages" || key == "stream") {
            return "--set " + item + ": " + key + " is chat's own (pass the model as an argument)";
        }
        auto value = nlohmann::json::parse(item.substr(eq + 1), nullptr, false);
        fields[key] = value.is_discarded() ? nlohmann::json(item.substr(eq + 1)) : value;
    }
    return fields;
}

std::vector<ChatStreamDecoder::Piece> ChatStreamDecoder::feed(std::string_view bytes) {
    std::vector<Piece> pieces;
    pending_.append(bytes);
    size_t start = 0;
    while (true) {
        // Events end with a blank line; llama-server writes "\n\n" (some servers "\r\n\r\n").
        size_t lf = pending_.find("\n\n", start);
        size_t crlf = pending_.find("\r\n\r\n", start);
        size_t end = std::min(lf, crlf);
        if (end == std::string::npos) break;
        std::string_view event(pending_.data() + start, end - start);
        start = end + (end == crlf ? 4 : 2);
        std::string data;
        while (!event.empty()) {
            size_t eol = event.find('\n');
            std::string_view line = event.substr(0, eol);
            if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
            if (line.starts_with("data:")) {
                line.remove_prefix(5);
                if (line.starts_with(" ")) line.remove_prefix(1);
                data += (data.empty() ? "" : "\n") + std::string(line);
            }
            event = eol == std::string_view::npos ? std::string_view() : event.substr(eol + 1);
        }
        decode_event(data, pieces);
    }
    pending_.erase(0, start);
    return pieces;
}

void ChatStreamDecoder::decode_event(std::string_view data, std::vector<Piece>& pieces) const {
    if (data.empty()) return;
    if (data == "[DONE]") {
        pieces.push_back({Piece::Kind::done, ""});
        return;
    }
    auto json = nlohmann::json::parse(data, nullptr, false);
    if (!json.is_object()) return;
    if (json.contains("error")) {
        const auto& error = json["error"];
        std::string message = error.is_object() && error.contains("message") && error["message"].is_string()
                                  ? error["message"].get<std::string>()
                                  : error.dump();
        pieces.push_back({Piece::Kind::error, message});
        return;
    }
    if (!json.contains("choices") || !json["choices"].is_array()) return;
    for (const auto& choice : json["choices"]) {
        if (!choice.is_object() || !choice.contains("delta") || !choice["delta"].is_object()) continue;
        const auto& delta = choice["delta"];
        if (delta.contains("reasoning_content") && delta["reasoning_content"].is_string()) {
            pieces.push_back({Piece::Kind::reasoning, delta["reasoning_content"].get<std::string>()});
        }
        if (delta.contains("content") && delta["content"].is_string()) {
            pieces.push_back({Piece::Kind::content, delta["content"].get<std::string>()});
        }
    }
}

}  // namespace ggufd::cli
