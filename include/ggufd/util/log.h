// What code that logs includes: spdlog, with fmt's formatting engine taken from libfmt rather than
// compiled again into every file that logs. fmt 9 (Debian 12) ships vformat_to<char> in libfmt
// but does not declare it extern, so each such file instantiated it: about 4 s of compile time
// per file, most of a clean build's logging cost. fmt 10 declares it itself.
#pragma once

#include <spdlog/spdlog.h>

#if defined(SPDLOG_FMT_EXTERNAL) && !defined(FMT_HEADER_ONLY) && FMT_VERSION >= 90000 && FMT_VERSION < 100000
FMT_BEGIN_NAMESPACE
namespace detail {
extern template void vformat_to<char>(buffer<char>&, basic_string_view<char>,
                                      basic_format_args<FMT_BUFFER_CONTEXT(type_identity_t<char>)>, locale_ref);
}  // namespace detail
FMT_END_NAMESPACE
#endif
