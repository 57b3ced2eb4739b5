// The fuzzers' contract checks: a broken contract aborts with a line that names it, so libFuzzer
// keeps the input that broke it.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace ggufd::fuzz {

inline void check(bool ok, const char* fuzzer, const char* what) {
    if (ok) return;
    std::fprintf(stderr, "%s: %s\n", fuzzer, what);
    std::abort();
}

}  // namespace ggufd::fuzz
