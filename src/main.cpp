// ggufd: supervises one llama-server per GGUF model behind one OpenAI-compatible front door.
#include "cli/app.h"

int main(int argc, char** argv) { return ggufd::cli::run(argc, argv); }
