# The quantum component's sources, relative to this folder: shared by its
# CMakeLists.txt and by the device check's standalone build (bench/device),
# which compiles them with Kokkos alone, without the rest of resqunn.
set(RESQUNN_QUANTUM_SOURCES
  batched_circuit.cpp
  circuit.cpp
  detail/compiled_evaluator.cpp
  detail/pauli_program.cpp
  detail/program.cpp
  evaluate.cpp
  evaluator_cost.cpp)
