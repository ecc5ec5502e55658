// `resqunn circuit`: evaluate circuits (and their gradients) from JSON.
#include "resqunn/cli/circuit_json.hpp"
#include "resqunn/cli/command.hpp"
#include "resqunn/core/error.hpp"
#include "resqunn/parallel/agreement.hpp"

#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <sstream>

namespace resqunn::cli {

namespace {

struct CircuitOptions {
  std::string file = "-";
  int indent = -1;
};

std::string read_request(const std::string& file) {
  if (file == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin), {});
  }
  std::ifstream in(file);
  if (!in) {
    throw UsageError("cannot read " + file, "pass an existing JSON file, or - for stdin");
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int run_circuit(const CircuitOptions& o, const Context& ctx) {
  // One answer, from rank 0; every rank learns whether it worked.
  parallel::collectively(MPI_COMM_WORLD, [&] {
    if (ctx.rank != 0) return;
    const auto request =
        parse_circuit_request(read_request(o.file), o.file == "-" ? "stdin" : o.file);
    std::cout << circuit_response(request).dump(o.indent) << '\n';
  });
  return 0;
}

}  // namespace

void add_circuit_command(CLI::App& app, ActionSlot& slot) {
  auto o = std::make_shared<CircuitOptions>();
  auto* sub = add_action(
      app, slot, o, "circuit",
      "Evaluate a batch of circuits from a JSON request: outputs, and with \"upstream\" the "
      "adjoint gradients for inputs and weights",
      run_circuit);
  sub->add_option("request", o->file, "JSON request file, or - for stdin")->capture_default_str();
  sub->add_option("--indent", o->indent, "Pretty-print the JSON with this indent");
  sub->footer(
      "Request: {\"qubits\": 4, \"encoding\": \"angle\"|\"amplitude\", \"rotation\": "
      "\"rx\"|\"ry\"|\"rz\", \"angle_scale\": 3.14159,\n"
      "          \"ansatz\": \"paper\"|\"basic-entangler\"|\"strongly-entangling\", \"depth\": 4,\n"
      "          \"readout\": \"expval-z\"|\"probabilities\", \"readout_qubits\": 0,\n"
      "          \"evaluator\": \"auto\"|\"compiled\"|\"statevector\",\n"
      "          \"weights\": [...], \"inputs\": [[...], ...], \"upstream\": [[...], ...]}\n"
      "Response: {\"evaluator\": what ran, \"outputs\": [[...]], \"input_grads\": [[...]], "
      "\"weight_grads\": [...]}\n"
      "Weight order (docs/quantum.md): paper per layer l: RY(q) at l*2n+q, RX(q) at "
      "l*2n+n+q;\n  basic-entangler RX(q) at l*n+q; strongly-entangling RZ,RY,RZ(q) at "
      "l*3n+3q+{0,1,2}.");
}

}  // namespace resqunn::cli
