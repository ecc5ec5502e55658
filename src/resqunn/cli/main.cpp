// The `resqunn` executable.
#include "resqunn/cli/app.hpp"

int main(int argc, char** argv) { return resqunn::cli::run(argc, argv); }
